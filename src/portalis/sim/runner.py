"""The stage runner: any host (``portalis run``, the Kit extension, a test, a notebook) creates
a :class:`Runner` for a stage and drives it with :meth:`~Runner.step`.

Scheduling (docs/usd.md, "Scheduling"):

* ``continuous`` prims keep their own clock: each step adds the host's ``dt`` to an
  accumulator and the prim runs once per whole ``1 / updateRate`` in it, so a 60 Hz module
  runs 60 times per simulated second whether the host steps at 24, 60 or 144 frames per
  second. A host that stalls does not make a module run unboundedly: at most
  ``max_catchup`` calls per step, the rest of the backlog is dropped and counted.
* ``on_demand`` prims run when the arguments they would get differ from their last call's,
  or when a host :meth:`~Runner.request`\\ s it.
* ``event_driven`` prims run when an event named in their ``triggerEvents`` is raised, in
  the same step, after the prims that raised it; each prim runs at most once per event name
  per step, which also ends any cycle of modules raising events for one another.

Prims run in dependency order (a prim reading another's output runs after it), then by path.
A prim that fails — its module missing, corrupt, not the pinned one, trapping, out of time —
is reported (:attr:`Runner.failures`) and disabled; the others run on.
"""

from __future__ import annotations

import math
import time as _time
from collections import deque
from collections.abc import Callable
from typing import Any

from pxr import Sdf, Tf, Usd

from portalis.errors import PortalisError, SceneError, WasmTrap
from portalis.runtime import DEFAULT_SANDBOX, ModuleCache, Sandbox
from portalis.sim import events as ev
from portalis.sim import fastlane
from portalis.sim.binding import ModulePrim
from portalis.sim.events import Event
from portalis.sim.failures import INVALID, Failure, cause_of, message_of
from portalis.sim.fastlane import FastGroup
from portalis.sim.loader import load_for_prim
from portalis.sim.sources import Clock, ProducerMap
from portalis.sim.stats import ModuleSummary, PrimStatistics, summarize
from portalis.sim.writer import LiveWriter, Recorder, Writer
from portalis.usd import tokens as t
from portalis.usd import validate

#: Tolerance when counting whole periods in an accumulator (floating-point sums of 1/60).
_EPSILON = 1e-9
#: Steps between folds of pending call durations into the statistics.
_FOLD_EVERY = 1024
EVENT_HISTORY = 10_000


class Runner:
    """Runs the WasmModule prims of ``stage``.

    ``record``: False (live) writes each step's outputs into the stage's edit target; True
    buffers them as time samples until :meth:`flush` (what ``portalis run`` does — make the
    layer that should receive them the edit target first). ``start_time``: the simulated
    time, in seconds, at which the run begins.
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
        fast_lane: bool = True,
    ) -> None:
        self.stage = stage
        self.sandbox = sandbox
        self.cache = cache
        self.max_catchup = max_catchup
        self.fast_lane = fast_lane
        self._units: list[ModulePrim | FastGroup] = []
        self._units_dirty = True
        self.time = start_time
        self.frame = 0
        self.time_code: float | None = None
        self.playing = False
        self.failures: list[Failure] = []
        self.events: deque[Event] = deque(maxlen=EVENT_HISTORY)
        self.dropped_calls = 0
        self._tcps = stage.GetTimeCodesPerSecond() or 24.0
        self._clock = Clock(time=start_time)
        self._queue: deque[Event] = deque()
        self._ran: list[ModulePrim | FastGroup] = []
        self._serial = 0
        self._held = False
        self._writing = False
        self._closed = False
        self._listeners: list[Callable[[Event], None]] = []
        self._failure_listeners: list[Callable[[Failure], None]] = []
        self._changed: set[Sdf.Path] = set()
        self.writer: Writer = (
            Recorder(stage.GetEditTarget().GetLayer()) if record else LiveWriter(stage)
        )
        self.prims: list[ModulePrim] = []
        self._bind_all()
        self._notice = Tf.Notice.Register(Usd.Notice.ObjectsChanged, self._on_change, stage)

    # -- binding ---------------------------------------------------------------------------

    def _bind_all(self) -> None:
        candidates = [p for p in self.stage.Traverse() if p.IsA(t.WASM_MODULE)]
        unknown = [
            p
            for p in self.stage.Traverse()
            if str(p.GetTypeName()).startswith("Wasm") and not p.IsA(t.WASM_MODULE)
        ]
        if unknown and not candidates:
            raise SceneError(
                f"{unknown[0].GetPath()} is a {unknown[0].GetTypeName()}, but USD does not know "
                "that type in this process",
                hint="import portalis before opening the stage, so its schemas are registered",
            )
        bound: list[ModulePrim] = []
        for prim in candidates:
            enabled = prim.GetAttribute(t.ENABLED).Get()
            if enabled is False:
                continue  # skipped: not loaded, not reported
            module_prim = self._load(prim)
            if module_prim is not None:
                bound.append(module_prim)
        producers: ProducerMap = {}
        for module_prim in bound:
            producers.update(module_prim.producers())
        self._clock.read_time = self._read_time(None)
        for module_prim in bound:
            try:
                module_prim.bind_inputs(self._clock, producers)
            except PortalisError as e:
                self._report(module_prim.path, module_prim.module_id, module_prim.function_name, e)
                module_prim.close()
                continue
            self.prims.append(module_prim)
        self.prims = _dependency_order(self.prims)

    def _load(self, prim: Usd.Prim) -> ModulePrim | None:
        path = str(prim.GetPath())
        module_id = _module_id(prim)
        function = str(prim.GetAttribute(t.ENTRY_FUNCTION).Get() or "")
        problems = validate.problems(prim)
        if problems:
            self._record(Failure(path, module_id, function, INVALID, "; ".join(problems)))
            return None
        try:
            loaded = load_for_prim(prim, module_id, sandbox=self.sandbox, cache=self.cache)
        except PortalisError as e:
            self._report(path, module_id, function, e)
            return None
        try:
            return ModulePrim(prim, loaded)
        except PortalisError as e:
            self._report(path, module_id, function, e)
            loaded.instance.close()
            return None

    # -- driving ---------------------------------------------------------------------------

    def play(self, time_code: float | None = None) -> None:
        """Start (or resume): on_demand prims get their first evaluation and ``play`` is
        raised; what they write lands at ``time_code`` (default values when None)."""
        if isinstance(self.writer, Recorder) and time_code is not None and not self._held:
            self.writer.hold(self.stage, self.prims, time_code)
            self._held = True
        self.playing = True
        self._begin(time_code)
        for module_prim in self.prims:
            if module_prim.mode == t.ON_DEMAND:
                self._maybe_on_demand(module_prim, 0.0)
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
        if dt < 0 or math.isnan(dt):
            raise SceneError(f"step(dt={dt}): dt must be a non-negative number of seconds")
        self.time += dt
        self.frame += 1
        self._begin(time_code)
        if self._units_dirty:
            self._build_units()
        for unit in self._units:
            if isinstance(unit, FastGroup):
                if unit.run(self, self._clock, dt):
                    self._ran.append(unit)
                continue
            if unit.failed or not unit.enabled:
                continue
            if unit.mode == t.CONTINUOUS:
                self._continuous(unit, dt)
            elif unit.mode == t.ON_DEMAND:
                self._maybe_on_demand(unit, self.time - (unit.last_run or 0.0))
        if self.frame % _FOLD_EVERY == 0:
            self._book()
            for module_prim in self.prims:
                module_prim.stats.fold()
        self._finish(time_code)

    def request(self, prim_path: str | Sdf.Path) -> None:
        """Ask an on_demand prim to run at the next step even if its inputs did not change."""
        self.module_prim(prim_path).requested = True

    def raise_event(self, name: str, *, source: str = "", payload: Any = None) -> None:
        """Queue an event; event_driven prims waiting for it run at the end of this step (or
        of the next one, when raised between steps)."""
        self._queue.append(Event(name, source, self.time, payload))

    def flush(self) -> None:
        """Write buffered time samples (recording mode)."""
        self._writing = True
        try:
            self.writer.flush()
        finally:
            self._writing = False

    def close(self) -> None:
        """Stop listening to the stage and unload every module (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._book()
        self._notice.Revoke()
        for module_prim in self.prims:
            module_prim.close()

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- observing -------------------------------------------------------------------------

    def module_prim(self, prim_path: str | Sdf.Path) -> ModulePrim:
        self._book()
        for module_prim in self.prims:
            if module_prim.path == str(prim_path):
                return module_prim
        raise SceneError("not a running module prim", prim_path=str(prim_path))

    def add_listener(self, callback: Callable[[Event], None]) -> None:
        """Call ``callback`` for every event as it is dispatched."""
        self._listeners.append(callback)

    def add_failure_listener(self, callback: Callable[[Failure], None]) -> None:
        self._failure_listeners.append(callback)

    def statistics(self) -> list[PrimStatistics]:
        self._book()
        return [m.stats for m in self.prims]

    def summary(self) -> list[ModuleSummary]:
        """Per module: prims, calls, failures, mean and p99 call time."""
        return summarize(self.statistics())

    # -- internals -------------------------------------------------------------------------

    def _begin(self, time_code: float | None) -> None:
        self.time_code = time_code
        self._ran = []
        self._serial += 1
        self._clock.frame = int(time_code) if time_code is not None else self.frame
        self._clock.read_time = self._read_time(time_code)
        if self._changed:
            self._apply_changes()

    def _finish(self, time_code: float | None) -> None:
        self._dispatch()
        if self._ran:
            self._writing = True
            try:
                self.writer.commit(self._ran, time_code)
            finally:
                self._writing = False

    def _read_time(self, time_code: float | None) -> Usd.TimeCode:
        if time_code is not None:
            return Usd.TimeCode(time_code)
        return Usd.TimeCode(self.time * self._tcps)

    @staticmethod
    def due(accumulator: float, period: float) -> int:
        """Whole periods in ``accumulator`` (tolerating the rounding of sums of 1/60)."""
        return int(accumulator / period + _EPSILON)

    def mark_ran(self, prims: list[ModulePrim]) -> None:
        """Note prims that ran this step (their outputs get written)."""
        serial = self._serial
        for module_prim in prims:
            if module_prim.ran_in != serial:
                module_prim.ran_in = serial
                self._ran.append(module_prim)

    def regroup(self) -> None:
        """Rebuild the fast lane's groups before the next step (a prim failed or changed)."""
        self._units_dirty = True

    def _book(self) -> None:
        """Bring every prim's statistics and clock up to date with its fast-lane group."""
        for unit in self._units:
            if isinstance(unit, FastGroup):
                unit.book()

    def _build_units(self) -> None:
        self._book()
        units: list[ModulePrim | FastGroup] = []
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
        self._units = units
        self._units_dirty = False

    def _continuous(self, module_prim: ModulePrim, dt: float) -> None:
        module_prim.accumulator += dt
        due = self.due(module_prim.accumulator, module_prim.period)
        if due <= 0:
            return
        module_prim.accumulator = max(0.0, module_prim.accumulator - due * module_prim.period)
        if due > self.max_catchup:
            self.dropped_calls += due - self.max_catchup
            due = self.max_catchup
        for _ in range(due):
            if module_prim.failed:
                return
            self.run_prim(module_prim, module_prim.step_dt, module_prim.sim_time)

    def _maybe_on_demand(self, module_prim: ModulePrim, dt: float) -> None:
        if module_prim.failed or not module_prim.enabled:
            return
        try:
            arguments = module_prim.arguments()
        except PortalisError as e:
            self.fail(module_prim, e)
            return
        if module_prim.requested or arguments != module_prim.last_arguments:
            module_prim.requested = False
            module_prim.last_arguments = arguments
            self.run_prim(
                module_prim, module_prim.step_dt if module_prim.fixed_dt else dt, self.time
            )

    def _dispatch(self) -> None:
        done: set[tuple[str, str]] = set()
        while self._queue:
            event = self._queue.popleft()
            self.events.append(event)
            for callback in self._listeners:
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
                self.run_prim(
                    module_prim, module_prim.step_dt if module_prim.fixed_dt else since, self.time
                )

    def run_prim(self, module_prim: ModulePrim, dt: float, now: float) -> None:
        """One call of ``module_prim`` at simulated time ``now``, advancing ``dt``: the
        general path (the fast lane uses it too, to finish a step after a failure)."""
        clock = self._clock
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
        module_prim.sim_time = now + dt if module_prim.mode == t.CONTINUOUS else self.time
        module_prim.last_run = self.time
        if module_prim.ran_in != self._serial:
            module_prim.ran_in = self._serial
            self._ran.append(module_prim)
        for name in raised:
            self.raise_event(name, source=module_prim.path)

    def fail(self, module_prim: ModulePrim, error: BaseException) -> None:
        """Report ``module_prim``'s failure and disable it."""
        module_prim.failed = True
        self._units_dirty = True
        module_prim.stats.failures += 1
        function = (
            error.function
            if isinstance(error, WasmTrap) and error.function
            else (module_prim.function_name)
        )
        self._report(module_prim.path, module_prim.module_id, function, error)

    def _report(self, path: str, module: str, function: str, error: BaseException) -> None:
        self._record(Failure(path, module, function, cause_of(error), message_of(error), self.time))

    def _record(self, failure: Failure) -> None:
        self.failures.append(failure)
        for callback in self._failure_listeners:
            callback(failure)

    def _on_change(self, notice: Usd.Notice.ObjectsChanged, _stage: Usd.Stage) -> None:
        if self._writing:
            return  # our own outputs: every attribute they reach is read from memory anyway
        self._changed.update(notice.GetChangedInfoOnlyPaths())
        self._changed.update(p for p in notice.GetResyncedPaths() if p.IsPropertyPath())

    def _apply_changes(self) -> None:
        changed, self._changed = self._changed, set()
        reshaped = False
        for module_prim in self.prims:
            enabled_path = module_prim.prim.GetPath().AppendProperty(t.ENABLED)
            if enabled_path in changed:
                module_prim.enabled = bool(module_prim.prim.GetAttribute(t.ENABLED).Get())
                self._units_dirty = True
            try:
                reshaped = module_prim.refresh(changed) or reshaped
            except PortalisError as e:
                self.fail(module_prim, e)
        if reshaped:  # an input changed kind: new generated code, maybe a new producer
            self.prims = _dependency_order(self.prims)
            self._units_dirty = True


def _module_id(prim: Usd.Prim) -> str:
    module_id = prim.GetAttribute(t.MODULE_ID).Get()
    if module_id:
        return str(module_id)
    asset = prim.GetAttribute(t.WASM_PATH).Get()
    path = asset.path if isinstance(asset, Sdf.AssetPath) else ""
    stem = path.replace("\\", "/").rsplit("/", 1)[-1]
    return stem.rsplit(".", 1)[0] if stem else "?"


def _dependency_order(prims: list[ModulePrim]) -> list[ModulePrim]:
    """Producers before their consumers; otherwise by path. Prims in a cycle keep path order
    and read each other's previous values."""
    by_path = {p.path: p for p in prims}
    remaining = sorted(prims, key=lambda p: p.path)
    needs = {
        p.path: {
            producer
            for call in (p.entry, p.handler)
            if call is not None
            for producer in call.producers
            if producer in by_path and producer != p.path
        }
        for p in prims
    }
    ordered: list[ModulePrim] = []
    placed: set[str] = set()
    while remaining:
        ready = [p for p in remaining if needs[p.path] <= placed]
        if not ready:  # a cycle: break it at the first prim by path
            ready = [remaining[0]]
        for p in ready:
            ordered.append(p)
            placed.add(p.path)
        remaining = [p for p in remaining if p.path not in placed]
    return ordered
