"""Double of ``omni.usd``: ``get_context()`` → ``UsdContext`` with ``get_stage()``,
``get_stage_url()``, ``get_stage_event_stream()``, ``open_stage_async(url)``,
``close_stage_async()`` (each returns ``(result, error)`` as Kit's do),
and ``StageEventType`` with Kit's member values. Stage events are pushed when the stage
changes and popped to subscribers during the next app update, as in Kit; the ``*_async``
calls return after that update, so a test that awaited ``open_stage_async`` sees ``OPENED``
delivered. The stage is a real ``pxr.Usd.Stage``."""

from __future__ import annotations

import asyncio
from enum import IntEnum

import carb.events


class StageEventType(IntEnum):
    SAVED = 0
    SAVE_FAILED = 1
    OPENING = 2
    OPENED = 3
    OPEN_FAILED = 4
    CLOSING = 5
    CLOSED = 6
    SELECTION_CHANGED = 7
    ASSETS_LOADED = 8
    ASSETS_LOAD_ABORTED = 9


class UsdContext:
    def __init__(self) -> None:
        self._stage = None
        self._url = ""
        self._events = carb.events.IEventStream()

    def get_stage(self):
        return self._stage

    def get_stage_url(self) -> str:
        return self._url

    def get_stage_event_stream(self) -> carb.events.IEventStream:
        return self._events

    def open_stage(self, url: str) -> bool:
        from pxr import Usd

        self._close()
        self._events.push(int(StageEventType.OPENING))
        stage = Usd.Stage.Open(url)
        if stage is None:
            self._events.push(int(StageEventType.OPEN_FAILED))
            return False
        self._stage, self._url = stage, url
        _timeline_follows(stage)
        self._events.push(int(StageEventType.OPENED))
        return True

    def close_stage(self) -> bool:
        self._close()
        return True

    async def open_stage_async(self, url: str) -> tuple[bool, str]:
        ok = self.open_stage(url)
        await _next_update()
        return ok, "" if ok else f"Failed to open {url}"

    async def close_stage_async(self) -> tuple[bool, str]:
        self.close_stage()
        await _next_update()
        return True, ""

    def _close(self) -> None:
        if self._stage is None:
            return
        # CLOSING reaches subscribers while the stage is still open (Kit sends it before
        # tearing the stage down); CLOSED is queued for the next update, after it is gone.
        self._events.dispatch(int(StageEventType.CLOSING))
        self._stage, self._url = None, ""
        self._events.push(int(StageEventType.CLOSED))


def _timeline_follows(stage) -> None:
    """Kit's timeline takes the opened stage's time range and time codes per second."""
    import omni.timeline

    omni.timeline._follow_stage(stage)


async def _next_update() -> None:
    import omni.kit.app

    await omni.kit.app.get_app().next_update_async()
    await asyncio.sleep(0)


_context = UsdContext()


def get_context(name: str = "") -> UsdContext:
    return _context


def _pump() -> None:
    _context._events.pump()


def _reset() -> None:
    global _context
    _context = UsdContext()
