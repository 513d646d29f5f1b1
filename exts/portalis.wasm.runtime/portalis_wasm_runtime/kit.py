"""Every call into Kit, in one place (as ``runtime/_capi.py`` is for wasmtime's C API).

Rules that keep the extension from leaking or running after it is gone:

* Each subscription is an object kept in :class:`Hooks`; Kit unsubscribes when the object is
  released (``unsubscribe()`` for a legacy ``carb.events`` subscription, ``reset()`` for an
  Events 2.0 observer). :meth:`Hooks.release` does it for all of them, on shutdown and
  therefore on hot reload; nothing else subscribes.
* The app update: Kit 107+ delivers it through ``carb.eventdispatcher`` ("Events 2.0") under
  ``omni.kit.app.GLOBAL_EVENT_UPDATE``; Kit 106 through ``get_update_event_stream()``. The
  first is used where it exists. The timeline's and the USD context's events use their
  ``carb.events`` streams, which Kit 106–110 keep (107+ adapts them onto Events 2.0).
* A callback never lets an exception escape into Kit's loop: it is logged with
  ``carb.log_error`` and the next event is handled normally.
* Nothing here decides anything: events become calls on :class:`~.controller.Controller`.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from typing import Any

import carb
import carb.settings
import omni.kit.app
import omni.timeline
import omni.usd

from .controller import Controller

OBSERVER = "portalis.wasm.runtime"


class CarbStore:
    """The settings registry (``carb.settings``) as :class:`~.settings.Store`."""

    def __init__(self) -> None:
        self._settings = carb.settings.get_settings()

    def get(self, path: str) -> Any:
        return self._settings.get(path)

    def set(self, path: str, value: Any) -> None:
        self._settings.set(path, value)


def _guarded(fn: Callable[..., None]) -> Callable[..., None]:
    def call(*args: Any) -> None:
        try:
            fn(*args)
        except Exception:
            carb.log_error(f"[{OBSERVER}] {traceback.format_exc()}")

    return call


def _observe_update(fn: Callable[[], None]) -> Any:
    """Subscribe ``fn`` to the app update: Events 2.0 where Kit has it (107+), else the stream."""
    name = getattr(omni.kit.app, "GLOBAL_EVENT_UPDATE", None)
    if name is not None:
        try:
            import carb.eventdispatcher
        except ImportError:
            pass
        else:
            return carb.eventdispatcher.get_eventdispatcher().observe_event(
                observer_name=f"{OBSERVER} update", event_name=name, on_event=lambda _e: fn()
            )
    stream = omni.kit.app.get_app().get_update_event_stream()
    return stream.create_subscription_to_pop(lambda _e: fn(), name=f"{OBSERVER} update")


def _release(subscription: Any) -> None:
    if hasattr(subscription, "reset"):  # Events 2.0 ObserverGuard
        subscription.reset()
    elif hasattr(subscription, "unsubscribe"):  # carb.events.ISubscription
        subscription.unsubscribe()


class Hooks:
    """Kit's update, timeline and stage events, routed to ``controller``."""

    def __init__(self, controller: Controller) -> None:
        self.controller = controller
        self._timeline = omni.timeline.get_timeline_interface()
        self._context = omni.usd.get_context()
        self._subscriptions: list[Any] = [
            _observe_update(_guarded(self._on_update)),
            self._timeline.get_timeline_event_stream().create_subscription_to_pop(
                _guarded(self._on_timeline), name=f"{OBSERVER} timeline"
            ),
            self._context.get_stage_event_stream().create_subscription_to_pop(
                _guarded(self._on_stage), name=f"{OBSERVER} stage"
            ),
        ]
        self._opened = int(omni.usd.StageEventType.OPENED)
        self._closing = {int(omni.usd.StageEventType.CLOSING), int(omni.usd.StageEventType.CLOSED)}
        kinds = omni.timeline.TimelineEventType
        self._play, self._pause, self._stop = int(kinds.PLAY), int(kinds.PAUSE), int(kinds.STOP)
        self._time_changed = int(kinds.CURRENT_TIME_CHANGED)

    def adopt_open_stage(self) -> None:
        """The extension was enabled with a stage already open: treat it as just opened."""
        stage = self._context.get_stage()
        if stage is not None:
            self.controller.on_stage_opened(stage, self._timeline.get_current_time())
            if self._timeline.is_playing():
                self.controller.on_play(self._timeline.get_current_time())

    def release(self) -> None:
        for subscription in self._subscriptions:
            _release(subscription)
        self._subscriptions.clear()

    # -- callbacks ----------------------------------------------------------------------------

    def _on_update(self) -> None:
        timeline = self._timeline
        playing = timeline.is_playing()
        self.controller.on_update(timeline.get_current_time() if playing else 0.0, playing)

    def _on_timeline(self, event: Any) -> None:
        kind = event.type
        if kind == self._play:
            self.controller.on_play(self._timeline.get_current_time())
        elif kind == self._pause:
            self.controller.on_pause()
        elif kind == self._stop:
            self.controller.on_stop()
        elif kind == self._time_changed:
            time_s = event.payload.get("currentTime", self._timeline.get_current_time())
            self.controller.on_time_changed(float(time_s), self._timeline.is_playing())

    def _on_stage(self, event: Any) -> None:
        kind = event.type
        if kind == self._opened:
            self.controller.on_stage_opened(
                self._context.get_stage(), self._timeline.get_current_time()
            )
        elif kind in self._closing:
            self.controller.on_stage_closing()
