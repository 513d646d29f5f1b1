"""The stage runner: any host (``portalis run``, the Kit extension, a test, a notebook) creates
a :class:`Runner` for a stage and drives it with :meth:`~Runner.step`.

The runner is the host's API and wires four parts, one idea each:

* binding (:mod:`portalis.sim.bind_stage`): the stage's module prims, loaded and bound once;
* scheduling (:mod:`portalis.sim.scheduler`, with the clock and catch-up rule of
  :mod:`portalis.sim.schedule`): what runs in a step, in what order, how often;
* failure isolation (:class:`~portalis.sim.failures.FailureLog`): a prim that fails — its
  module missing, corrupt, not the pinned one, trapping, out of time, producing a value its
  output cannot hold — is reported (:attr:`Runner.failures`) and disabled; the others run on;
* change tracking (:mod:`portalis.sim.changes`): edits to the scene between steps.

Outputs are handed to a writer (:mod:`portalis.sim.writer`) at the end of each step.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import Any

from pxr import Sdf, Usd

from portalis.errors import SceneError
from portalis.runtime import DEFAULT_SANDBOX, ModuleCache, Sandbox
from portalis.sim import events as ev
from portalis.sim.bind_stage import bind_stage, dependency_order
from portalis.sim.binding import ModulePrim
from portalis.sim.changes import ChangeTracker
from portalis.sim.events import Event
from portalis.sim.failures import Failure, FailureLog, SceneWarning
from portalis.sim.schedule import CatchUp
from portalis.sim.scheduler import Scheduler, Unit
from portalis.sim.sources import Clock
from portalis.sim.stats import ModuleSummary, PrimStatistics, summarize
from portalis.sim.writer import LiveWriter, Recorder, Writer


class Runner:
    """Runs the WasmModule prims of ``stage``.

    ``record``: False (live) writes each step's outputs into the stage's edit target; True
    buffers them as time samples until :meth:`flush` (what ``portalis run`` does — make the
    layer that should receive them the edit target first). ``start_time``: the simulated
    time, in seconds, at which the run begins. ``max_catchup``: the most calls of one prim
    in one step; ``catchup_budget``: the wall-clock seconds one prim may spend catching up in
    one step (default: the sandbox's per-call deadline), see :mod:`portalis.sim.schedule`.
    ``offline``: no catch-up bound at all, every due call is made (a run whose frames are not
    tied to the wall clock, as ``portalis run``'s: its result must not depend on the
    machine's speed); ``max_catchup`` and ``catchup_budget`` are then not used.
    ``strict``: a prim with a warning (:attr:`warnings`) fails instead of running.
    """

    def __init__(
        self,
        stage: Usd.Stage,
        *,
        sandbox: Sandbox = DEFAULT_SANDBOX,
        cache: ModuleCache | bool = True,
        record: bool = False,
        start_time: float = 0.0,
        max_catchup: int = 16,
        catchup_budget: float | None = None,
        fast_lane: bool = True,
        strict: bool = False,
        offline: bool = False,
    ) -> None:
        self.stage = stage
        self.sandbox = sandbox
        self.cache = cache
        self.time_code: float | None = None
        self.playing = False
        self._tcps = stage.GetTimeCodesPerSecond() or 24.0
        self._held = False
        self._closed = False
        self._log = FailureLog()
        self.writer: Writer = (
            Recorder(stage.GetEditTarget().GetLayer()) if record else LiveWriter(stage)
        )
        clock = Clock(time=start_time)
        clock.read_time = Usd.TimeCode(start_time * self._tcps)
        prims = bind_stage(
            stage, clock, self._log, sandbox=sandbox, cache=cache, time=start_time, strict=strict
        )
        budget = catchup_budget if catchup_budget is not None else sandbox.deadline_s
        rule = CatchUp(None, None) if offline else CatchUp(max_catchup, budget)
        self._scheduler = Scheduler(
            prims,
            clock,
            self._log,
            rule,
            start_time=start_time,
            fast_lane=fast_lane,
        )
        self._changes = ChangeTracker(stage)

    # -- driving ---------------------------------------------------------------------------

    def play(self, time_code: float | None = None) -> None:
        """Start (or resume): on_demand prims get their first evaluation and ``play`` is
        raised; what they write lands at ``time_code`` (default values when None)."""
        if isinstance(self.writer, Recorder) and time_code is not None and not self._held:
            self.writer.hold(self.stage, self.prims, time_code)
            self._held = True
        self.playing = True
        self._begin(time_code)
        self._scheduler.start_on_demand()
        self.raise_event(ev.PLAY)
        self._finish(time_code)

    def stop(self, time_code: float | None = None) -> None:
        """Raise ``stop`` (event_driven listeners run now) and stop playing."""
        self._begin(time_code)
        self.raise_event(ev.STOP)
        self._finish(time_code)
        self.playing = False

    def step(self, dt: float, time_code: float | None = None) -> None:
        """Advance simulated time by ``dt`` seconds and run what is due. With ``time_code``,
        inputs are read and outputs written at that stage time; without, inputs are read at
        the stage time matching the simulated time and outputs written as default values."""
        if not self.playing:
            self.play(time_code)
        if not 0 <= dt < math.inf:
            raise SceneError(f"step(dt={dt}): dt must be a finite, non-negative number of seconds")
        self._scheduler.tick(dt)
        self._begin(time_code)
        self._scheduler.run_due(dt)
        self._finish(time_code)

    def request(self, prim_path: str | Sdf.Path) -> None:
        """Ask an on_demand prim to run at the next step even if its inputs did not change."""
        self.module_prim(prim_path).requested = True

    def raise_event(self, name: str, *, source: str = "", payload: Any = None) -> None:
        """Queue an event; event_driven prims waiting for it run at the end of this step (or
        of the next one, when raised between steps)."""
        self._scheduler.raise_event(name, source=source, payload=payload)

    def flush(self) -> None:
        """Write buffered time samples (recording mode)."""
        self._changes.writing = True
        try:
            self.writer.flush()
        finally:
            self._changes.writing = False

    def close(self) -> None:
        """Stop listening to the stage and unload every module (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._scheduler.book()
        self._changes.close()
        for module_prim in self.prims:
            module_prim.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- observing -------------------------------------------------------------------------

    @property
    def prims(self) -> list[ModulePrim]:
        """The bound module prims, in the order they run."""
        return self._scheduler.prims

    @property
    def failures(self) -> list[Failure]:
        """Every prim that stopped running, and why, in the order they failed."""
        return self._log.failures

    @property
    def warnings(self) -> list[SceneWarning]:
        """What about the running prims is probably a mistake: inputs nothing reads (with a
        "did you mean"), outputs moving transform ops their prim does not apply."""
        return self._log.warnings

    @property
    def events(self) -> deque[Event]:
        """The latest events dispatched (at most :data:`~portalis.sim.scheduler.EVENT_HISTORY`)."""
        return self._scheduler.events

    @property
    def dropped_calls(self) -> int:
        """Calls of continuous prims dropped by the catch-up rule."""
        return self._scheduler.rule.dropped

    @property
    def time(self) -> float:
        """Simulated seconds (``start_time`` plus every step's ``dt``)."""
        return self._scheduler.time

    @property
    def frame(self) -> int:
        """Steps taken."""
        return self._scheduler.frame

    @property
    def units(self) -> list[Unit]:
        """What a step runs, in order: single prims and fast-lane groups."""
        return self._scheduler.units

    def module_prim(self, prim_path: str | Sdf.Path) -> ModulePrim:
        self._scheduler.book()
        for module_prim in self.prims:
            if module_prim.path == str(prim_path):
                return module_prim
        raise SceneError("not a running module prim", prim_path=str(prim_path))

    def add_listener(self, callback: Callable[[Event], None]) -> None:
        """Call ``callback`` for every event as it is dispatched."""
        self._scheduler.listeners.append(callback)

    def add_failure_listener(self, callback: Callable[[Failure], None]) -> None:
        self._log.add_listener(callback)

    def statistics(self) -> list[PrimStatistics]:
        self._scheduler.book()
        return [m.stats for m in self.prims]

    def summary(self) -> list[ModuleSummary]:
        """Per module: prims, calls, failures, mean and p99 call time."""
        return summarize(self.statistics())

    # -- internals -------------------------------------------------------------------------

    def _begin(self, time_code: float | None) -> None:
        scheduler = self._scheduler
        self.time_code = time_code
        scheduler.begin()
        clock = scheduler.clock
        clock.frame = int(time_code) if time_code is not None else scheduler.frame
        clock.read_time = (
            Usd.TimeCode(time_code)
            if time_code is not None
            else Usd.TimeCode(scheduler.time * self._tcps)
        )
        if self._changes.pending:
            self._take_changes()

    def _finish(self, time_code: float | None) -> None:
        scheduler = self._scheduler
        scheduler.dispatch()
        if scheduler.ran:
            self._changes.writing = True
            try:
                self.writer.commit(scheduler.ran, time_code)
            finally:
                self._changes.writing = False

    def _take_changes(self) -> None:
        scheduler = self._scheduler
        applied = self._changes.apply(self.prims)
        for module_prim, error in applied.broken:
            scheduler.fail(module_prim, error)
        if applied.reshaped:  # an input changed kind: new generated code, maybe a new producer
            scheduler.regroup(dependency_order(self.prims))
        elif applied.toggled:
            scheduler.regroup()
