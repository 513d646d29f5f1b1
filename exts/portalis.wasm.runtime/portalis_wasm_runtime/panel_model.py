"""What the panel shows, as plain data: built from a :class:`~.session.StageSession` at the
panel's refresh rate (never per frame), read by the omni.ui view (:mod:`.panel`) and by tests.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from portalis.sim.stats import PrimStatistics

from .session import StageSession, State
from .trust import ModuleRef


class Row(NamedTuple):
    """One module prim (a tuple: a hundred of them are built per refresh)."""

    path: str
    module: str
    mode: str
    status: str  # running / disabled / failed: CAUSE / not loaded / waiting for consent
    enabled: bool
    calls: int
    mean_us: float | None
    p99_us: float | None
    memory_bytes: int | None
    last_error: str


@dataclass(frozen=True)
class PanelModel:
    state: str
    message: str  # why the stage cannot run (schemas, a scene error), or ""
    notice: str  # something the user should know about the last action, or ""
    consent: tuple[ModuleRef, ...]  # modules waiting for the user's opt-in
    rows: tuple[Row, ...]
    overlay: str  # the performance line: WASM ms per frame

    def row(self, path: str) -> Row:
        for row in self.rows:
            if row.path == path:
                return row
        raise KeyError(path)


EMPTY = PanelModel(State.NO_STAGE.value, "", "", (), (), "")


class FrameTimes:
    """The last ``size`` frames' runner time, for the overlay's mean."""

    def __init__(self, size: int = 60) -> None:
        self._seconds: deque[float] = deque(maxlen=size)

    def add(self, seconds: float) -> None:
        self._seconds.append(seconds)

    def clear(self) -> None:
        self._seconds.clear()

    def mean_ms(self) -> float | None:
        return sum(self._seconds) / len(self._seconds) * 1e3 if self._seconds else None


class Percentiles:
    """Each prim's p99, recomputed for at most ``per_refresh`` prims per refresh, in turn; the
    others show the value from their last turn. A p99 is the one figure whose cost grows with
    the samples behind it, and a stage of hundreds of prims would otherwise spend a frame's
    time on it at every refresh."""

    def __init__(self, per_refresh: int = 16) -> None:
        self.per_refresh = per_refresh
        self._values: dict[str, float | None] = {}
        self._first = 0  # index of the first prim whose turn it is
        self._count = 0

    def begin(self, count: int) -> None:
        """A refresh of ``count`` prims starts."""
        self._count = count
        self._first = self._first % count if count else 0

    def get(self, index: int, stats: PrimStatistics) -> float | None:
        """The p99 of the prim at ``index`` (its position in this refresh)."""
        path = stats.prim_path
        if path not in self._values or (index - self._first) % self._count < self.per_refresh:
            self._values[path] = p99_seconds(stats)
        return self._values[path]

    def end(self) -> None:
        self._first += self.per_refresh

    def clear(self) -> None:
        self._values.clear()


def build(
    session: StageSession | None,
    frames: FrameTimes,
    *,
    problem: str | None = None,
    notice: str = "",
    overlay: bool = True,
    percentiles: Percentiles | None = None,
) -> PanelModel:
    if session is None:
        return PanelModel(State.NO_STAGE.value, problem or "", notice, (), (), "")
    runner = session.runner
    running = {m.path: m for m in runner.prims} if runner is not None else {}
    failures: dict[str, str] = {}
    causes: dict[str, str] = {}
    if runner is not None:
        for failure in runner.failures:
            failures[failure.prim_path] = failure.message
            causes[failure.prim_path] = failure.cause
    stats = {s.prim_path: s for s in runner.statistics()} if runner is not None else {}
    rows = []
    percentiles = percentiles or Percentiles(per_refresh=len(session.modules))
    percentiles.begin(len(session.modules))
    for index, ref in enumerate(session.modules):
        module_prim = running.get(ref.prim_path)
        enabled = module_prim.enabled if module_prim is not None else session.enabled(ref.prim_path)
        s = stats.get(ref.prim_path)
        if session.state in (State.NEEDS_CONSENT, State.DECLINED):
            status = session.state.value
        elif not enabled:
            status = "disabled"
        elif ref.prim_path in causes:
            status = f"failed: {causes[ref.prim_path]}"
        elif module_prim is not None:
            status = "running"
        else:
            status = "not loaded"
        memory = None
        if module_prim is not None and module_prim.instance.memory is not None:
            memory = module_prim.instance.memory.size
        mean = s.mean_seconds if s is not None else None
        p99 = percentiles.get(index, s) if s is not None else None
        rows.append(
            Row(
                ref.prim_path,
                module_prim.module_id if module_prim is not None else _stem(ref.wasm_path),
                module_prim.mode if module_prim is not None else "",
                status,
                enabled,
                s.calls if s is not None else 0,
                mean * 1e6 if mean is not None else None,
                p99 * 1e6 if p99 is not None else None,
                memory,
                failures.get(ref.prim_path, ""),
            )
        )
    percentiles.end()
    return PanelModel(
        state=session.state.value,
        message=problem or session.message,
        notice=notice or session.notice,
        consent=tuple(session.pending),
        rows=tuple(rows),
        overlay=overlay_line(frames, sum(not m.failed for m in running.values()))
        if overlay
        else "",
    )


#: Calls the panel's p99 is taken over: the latest ones (bounded, so a refresh costs the same
#: after an hour of play as after a second).
P99_WINDOW = 1000


def p99_seconds(stats: PrimStatistics) -> float | None:
    """The 99th percentile (nearest rank) of the prim's latest :data:`P99_WINDOW` call times:
    a partial sort of a bounded window, a few µs a prim, where ``np.percentile`` over the
    runner's whole window costs ~100 µs and a refresh of a hundred prims a frame's time."""
    samples = stats.recent(P99_WINDOW)
    if not len(samples):
        return None
    k = max(0, math.ceil(0.99 * len(samples)) - 1)
    return float(np.partition(samples, k)[k])


def overlay_line(frames: FrameTimes, modules: int) -> str:
    mean = frames.mean_ms()
    if mean is None:
        return f"WASM: {modules} module prims, not stepping"
    return f"WASM: {mean:.3f} ms/frame ({modules} module prims)"


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0] if name else "?"
