"""The extension's state between Kit's events: the open stage's :class:`~.session.StageSession`,
consent, settings, the panel model and the overlay. Kit-free: :mod:`.kit` turns Kit's events
into the ``on_*`` calls below, and the panel's buttons call the actions.

Per frame (:meth:`Controller.on_update`) the work is: one timeline check, the session's step,
one clock read to decide whether the panel is due. The panel model is rebuilt at most every
``panel_refresh_s`` seconds, so its cost never lands on every frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pxr import Usd

from portalis.errors import PortalisError

from . import panel_model
from .panel_model import EMPTY, FrameTimes, PanelModel, Percentiles
from .session import StageSession, State
from .settings import Settings
from .trust import Trust

View = Callable[[PanelModel], None]


class Controller:
    def __init__(
        self,
        settings: Settings,
        *,
        problem: str | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self.settings = settings
        self.trust = Trust(settings)
        self.problem = problem  # the schemas could not be registered in time (see .schemas)
        self.session: StageSession | None = None
        self.model: PanelModel = EMPTY
        self.frames = FrameTimes()
        self.percentiles = Percentiles()
        self.notice = ""
        self._views: list[View] = []
        self.clock = clock  # when the panel is due (the benchmark gives it a frame clock)
        self.refreshes = 0
        self.next_refresh = 0.0

    # -- Kit's events -------------------------------------------------------------------------

    def on_stage_opened(self, stage: Usd.Stage, time_s: float) -> None:
        self.on_stage_closing()
        if stage is None:
            return
        self.session = StageSession(stage, self.settings, self.trust)
        if abs(time_s * self.session.tcps - self.session.time_code) > 1e-6:
            self.session.seek(time_s)
        self.refresh()

    def on_stage_closing(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
            self.frames.clear()
            self.percentiles.clear()
            self.refresh()

    def on_play(self, time_s: float) -> None:
        if self.session is not None:
            self.session.play(time_s)
            self.refresh()

    def on_pause(self) -> None:
        if self.session is not None:
            self.session.pause()
            self.refresh()

    def on_stop(self) -> None:
        if self.session is not None:
            self.session.stop()
            self.frames.clear()
            self.refresh()

    def on_time_changed(self, time_s: float, playing: bool) -> None:
        """The timeline's time was set (not ticked by playing): scrubbing."""
        if self.session is not None and not playing:
            self.session.seek(time_s)
            self.refresh()

    def on_update(self, time_s: float, playing: bool) -> None:
        """Once per app update."""
        session = self.session
        if session is not None and playing and session.state is State.PLAYING:
            session.update(time_s)
            self.frames.add(session.last_step_s)
        now = self.clock()
        if now >= self.next_refresh:
            self.refresh(now)

    # -- the panel ----------------------------------------------------------------------------

    def add_view(self, view: View) -> None:
        self._views.append(view)
        view(self.model)

    def remove_view(self, view: View) -> None:
        if view in self._views:
            self._views.remove(view)

    def refresh(self, now: float | None = None) -> None:
        """Rebuild the panel model and show it (throttled by :meth:`on_update`)."""
        now = self.clock() if now is None else now
        self.refreshes += 1
        self.next_refresh = now + float(self.settings.get("panel_refresh_s"))
        self.model = panel_model.build(
            self.session,
            self.frames,
            problem=self.problem,
            notice=self.notice,
            overlay=bool(self.settings.get("enable_performance_monitoring")),
            percentiles=self.percentiles,
        )
        for view in list(self._views):
            view(self.model)

    # -- actions (the panel's buttons) ---------------------------------------------------------

    def allow(self, *, remember: bool) -> None:
        self._act(lambda s: s.allow(remember=remember))

    def decline(self) -> None:
        self._act(lambda s: s.decline())

    def scan(self) -> None:
        """Scan Stage: find module prims added or removed since the stage opened."""
        self._act(lambda s: s.scan())

    def reload(self) -> None:
        """Reload modules: re-read the .wasm files (a changed one needs consent again)."""
        self._act(lambda s: s.reload())

    def set_enabled(self, prim_path: str, enabled: bool) -> None:
        self._act(lambda s: s.set_enabled(prim_path, enabled))

    def set_limits(
        self, *, max_memory_mb: int | None = None, deadline_ms: float | None = None
    ) -> None:
        if max_memory_mb is not None:
            self.settings.set("max_memory_mb", int(max_memory_mb))
        if deadline_ms is not None:
            self.settings.set("deadline_ms", float(deadline_ms))
        self._act(lambda s: s.apply_settings())

    def bake(self, output: str | Path) -> None:
        """Bake to layer…: write the saved scene's results to ``output`` as ``portalis run``."""

        def run(session: StageSession) -> None:
            result = session.bake(Path(output))
            failed = f", {len(result.failures)} failed" if result.failures else ""
            self.notice = f"baked {result.frames} frames to {output}{failed}"

        self._act(run)

    def _act(self, action: Callable[[StageSession], None]) -> None:
        self.notice = ""
        if self.session is not None:
            try:
                action(self.session)
            except PortalisError as e:  # a clear line in the panel, never a traceback
                self.notice = str(e) + (f" ({e.hint})" if e.hint else "")
        self.refresh()

    def close(self) -> None:
        self.on_stage_closing()
        self._views.clear()
