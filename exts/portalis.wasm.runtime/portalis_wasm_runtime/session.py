"""One open stage: consent, the runner's life, and following the timeline. No Kit here — Kit's
events reach this class as plain calls (:mod:`.controller` translates them), so it runs and is
tested on a bare usd-core stage.

The runner (:class:`portalis.sim.Runner`) does all the simulation; this class only decides
*when* it runs and *where* its results go:

* **Where**: live values go to an anonymous layer inserted as the strongest sublayer of the
  stage's *session layer*, never into the user's layers, so saving the stage does not bake
  results by accident. :meth:`bake` is the explicit way to keep them: it runs the saved scene
  exactly as ``portalis run`` does and writes a new layer.
* **When**: ``play`` → the runner starts at the timeline's time code; each app update while
  playing → one ``step(dt, time_code)``, ``dt`` being how far the timeline moved; ``pause`` →
  no steps; ``stop`` → the runner's ``stop`` event, then a fresh runner and an empty live layer
  (the scene shows as authored, as Kit's Stop shows physics scenes).
* **Scrubbing** (a time change not made by playing): forward, the runner runs the frames in
  between; backward, it restarts from the timeline's start with fresh module state and re-runs
  up to the new time. Either way the values at time T are those of a run from the start to T,
  the same as ``portalis run`` writes. A jump of more than ``max_rerun_frames`` frames is not
  re-run: the runner restarts fresh at the new time, and :attr:`notice` says so.
"""

from __future__ import annotations

import math
import time as _time
from enum import Enum
from pathlib import Path

from pxr import Sdf, Usd

from portalis.errors import PortalisError, SceneError
from portalis.runtime import ModuleCache
from portalis.sim import Runner
from portalis.sim.bake import BakeResult, bake
from portalis.usd import tokens as t

from . import trust as trust_mod
from .settings import Settings
from .trust import ModuleRef, Trust

#: Tag of the live layer's anonymous identifier (``anon:0x…:portalis-live.usda``).
LIVE_LAYER_TAG = "portalis-live.usda"
#: Time codes closer than this are the same frame (timeline seconds × fps are not exact).
_SAME = 1e-6


class State(Enum):
    NO_STAGE = "no stage"
    NO_MODULES = "no module prims"
    NEEDS_CONSENT = "waiting for consent"
    DECLINED = "not allowed to run"
    READY = "ready"
    PLAYING = "playing"
    PAUSED = "paused"
    ERROR = "cannot run"


class StageSession:
    """The extension's work for one stage (docstring of this module)."""

    def __init__(self, stage: Usd.Stage, settings: Settings, trust: Trust) -> None:
        self.stage = stage
        self.settings = settings
        self.trust = trust
        self.stage_id = _stage_id(stage)
        self.tcps = stage.GetTimeCodesPerSecond() or 24.0
        self.runner: Runner | None = None
        self.modules: list[ModuleRef] = []
        self.pending: list[ModuleRef] = []
        self.state = State.NO_MODULES
        self.message = ""
        self.notice = ""
        self.time_code: float = stage.GetStartTimeCode()
        self.started = False
        self.last_step_s = 0.0  # the runner's time in the last update's step (the overlay)
        self.live_layer = Sdf.Layer.CreateAnonymous(LIVE_LAYER_TAG)
        # A sublayer's time codes are scaled by its own timeCodesPerSecond against the
        # stage's (an anonymous layer says 24): the live layer must say the stage's.
        self.live_layer.timeCodesPerSecond = self.tcps
        stage.GetSessionLayer().subLayerPaths.insert(0, self.live_layer.identifier)
        self.scan()

    # -- consent -------------------------------------------------------------------------------

    def scan(self) -> None:
        """List the stage's module prims and their hashes; ask for consent or (re)build."""
        self.modules = trust_mod.scan(self.stage)
        if not self.modules:
            self._close_runner()
            self.state, self.pending = State.NO_MODULES, []
            return
        self.pending = self.trust.untrusted(self.stage_id, self.modules)
        if self.pending:
            self._close_runner()
            self.state = State.NEEDS_CONSENT
            return
        self._restart()

    def allow(self, *, remember: bool) -> None:
        """The user opted in: run this stage's modules (and remember, if asked)."""
        self.trust.allow(self.stage_id, self.modules, remember=remember)
        self.pending = []
        self._restart()

    def decline(self) -> None:
        self._close_runner()
        self.state = State.DECLINED

    # -- following the timeline ---------------------------------------------------------------

    def play(self, time_s: float) -> None:
        if self.runner is None:
            return
        tc = self._code(time_s)
        if abs(tc - self.time_code) > _SAME:
            self.seek(time_s)
        if not self.started:
            self.runner.play(time_code=self.time_code)
            self.started = True
        self.state = State.PLAYING

    def pause(self) -> None:
        if self.runner is not None:
            self.state = State.PAUSED

    def stop(self) -> None:
        """Stop: the runner's ``stop`` event, then a fresh start (module state and live values
        cleared), at the stage's start time."""
        if self.runner is None:  # nothing runs (no consent, or it cannot): only the clock
            self.time_code = self.stage.GetStartTimeCode()
            return
        if self.started:
            self.runner.stop(time_code=self.time_code)
        self.state = State.READY
        self._rebuild_at(self.stage.GetStartTimeCode())

    def update(self, time_s: float) -> None:
        """One app update while playing: one step to the timeline's time."""
        runner = self.runner
        if runner is None or self.state is not State.PLAYING:
            return
        tc = self._code(time_s)
        if tc < self.time_code - _SAME:  # looped, or scrubbed while playing
            self.seek(time_s)
            return
        if tc - self.time_code <= _SAME:
            return
        dt = (tc - self.time_code) / self.tcps
        t0 = _time.perf_counter()
        runner.step(dt, time_code=tc)
        self.last_step_s = _time.perf_counter() - t0
        self.time_code = tc

    def seek(self, time_s: float) -> None:
        """The timeline's time was set (scrubbing): see this module's docstring."""
        if self.runner is None:
            self.time_code = self._code(time_s)
            return
        tc = self._code(time_s)
        if abs(tc - self.time_code) <= _SAME:
            return
        if tc < self.time_code:
            start = self.stage.GetStartTimeCode()
            self._rebuild_at(start if tc >= start else tc)
        self._run_to(tc)

    # -- panel actions ------------------------------------------------------------------------

    def reload(self) -> None:
        """Re-read every module file (a changed one needs consent again) and restart at the
        current time. A runner reads each module's file when it is built, and the compile
        cache is keyed by content, so a changed file is what the new runner runs."""
        self.scan()

    def set_enabled(self, prim_path: str, enabled: bool) -> None:
        """Enable or disable a module prim for this session: the opinion goes into the
        session layer (not saved with the stage), then the runner restarts at the current
        time."""
        layer = self.stage.GetSessionLayer()
        prim_spec = Sdf.CreatePrimInLayer(layer, Sdf.Path(prim_path))
        spec = prim_spec.attributes.get(t.ENABLED) or Sdf.AttributeSpec(
            prim_spec, t.ENABLED, Sdf.ValueTypeNames.Bool
        )
        spec.default = bool(enabled)
        if self.state not in (State.NEEDS_CONSENT, State.DECLINED):
            self._restart()

    def enabled(self, prim_path: str) -> bool:
        """Whether the prim is enabled (its ``enabled`` attribute, session opinion included)."""
        attr = self.stage.GetAttributeAtPath(Sdf.Path(prim_path).AppendProperty(t.ENABLED))
        return attr.Get() is not False if attr else True

    def apply_settings(self) -> None:
        """Memory cap or deadline changed: restart under the new sandbox."""
        if self.runner is not None:
            self._restart()

    def bake(self, output: Path) -> BakeResult:
        """Run the saved scene over its time range and write ``output``, as ``portalis run``
        does. The stage must be saved: what is baked is the file, not unsaved edits."""
        root = self.stage.GetRootLayer()
        if root.anonymous or not root.realPath:
            raise SceneError("this stage has never been saved", hint="save it, then Bake to layer…")
        if root.dirty:
            raise SceneError(
                f"{root.realPath} has unsaved changes",
                hint="save the stage first: the bake runs the file, as portalis run does",
            )
        unallowed = self.trust.untrusted(self.stage_id, trust_mod.scan(self.stage))
        if unallowed or self.state is State.DECLINED:
            raise SceneError(
                "baking runs this stage's modules, and they are not allowed to run",
                hint="allow them in the panel first",
            )
        return bake(Path(root.realPath), output, sandbox=self.settings.sandbox())

    def close(self) -> None:
        """Close the runner and take the live layer out of the session layer."""
        self._close_runner()
        session = self.stage.GetSessionLayer()
        if self.live_layer.identifier in session.subLayerPaths:
            session.subLayerPaths.remove(self.live_layer.identifier)
        self.state = State.NO_STAGE

    # -- internals ----------------------------------------------------------------------------

    def _code(self, time_s: float) -> float:
        """Timeline seconds → time code, rounded so accumulated seconds land on frames."""
        return round(time_s * self.tcps, 6)

    def _restart(self) -> None:
        """A fresh runner from the start, re-run up to the current time (as after scrubbing
        back), still playing if it was."""
        target = self.time_code
        start = self.stage.GetStartTimeCode()
        self._rebuild_at(min(start, target))
        if self.runner is not None and target > self.time_code + _SAME:
            self._run_to(target)

    def _rebuild_at(self, time_code: float) -> None:
        """A fresh runner whose clock starts at ``time_code``; the live layer emptied. A
        session that was playing goes on playing."""
        playing = self.state is State.PLAYING
        self._close_runner()
        self.live_layer.Clear()
        self.live_layer.timeCodesPerSecond = self.tcps
        self.time_code = time_code
        self.started = False
        self.notice = ""
        cache_dir = str(self.settings.get("wasm_cache_dir") or "")
        cache: ModuleCache | bool = ModuleCache(cache_dir) if cache_dir else True
        stage = self.stage
        previous = stage.GetEditTarget()
        stage.SetEditTarget(Usd.EditTarget(self.live_layer))
        try:
            self.runner = Runner(
                stage,
                sandbox=self.settings.sandbox(),
                cache=cache,
                start_time=time_code / self.tcps,
            )
        except PortalisError as e:
            self.runner = None
            self.state, self.message = State.ERROR, str(e)
            return
        finally:
            stage.SetEditTarget(previous)
        self.state, self.message = State.READY, ""
        if playing:
            self.runner.play(time_code=time_code)
            self.started = True
            self.state = State.PLAYING

    def _run_to(self, tc: float) -> None:
        """Step frame by frame from the current time code to ``tc``."""
        runner = self.runner
        assert runner is not None
        if tc <= self.time_code + _SAME:
            return
        # whole frames, the last one ending exactly at tc (a scrub may land between frames)
        frames = max(1, math.ceil(tc - self.time_code - _SAME))
        limit = int(self.settings.get("max_rerun_frames"))
        if frames > limit:
            self._rebuild_at(tc)
            self.notice = (
                f"jumped {frames} frames (more than max_rerun_frames = {limit}): "
                "the modules restarted at this time"
            )
            return
        if not self.started:
            runner.play(time_code=self.time_code)
            self.started = True
        for k in range(1, frames + 1):
            step_to = self.time_code + 1 if k < frames else tc
            runner.step((step_to - self.time_code) / self.tcps, time_code=step_to)
            self.time_code = step_to
        if self.state is State.READY:
            self.state = State.PAUSED

    def _close_runner(self) -> None:
        if self.runner is not None:
            self.runner.close()
            self.runner = None


def _stage_id(stage: Usd.Stage) -> str:
    """What consent per stage remembers: the root layer's file (empty for an unsaved one)."""
    root = stage.GetRootLayer()
    return "" if root.anonymous else (root.realPath or root.identifier)
