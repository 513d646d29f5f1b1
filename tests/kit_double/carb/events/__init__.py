"""Double of ``carb.events``: ``IEvent`` (``type``, ``sender``, ``payload``), ``IEventStream``
with ``push`` / ``pump`` / ``dispatch`` / ``create_subscription_to_pop``, ``ISubscription``
(``unsubscribe``; dropping the object also unsubscribes), ``type_from_string``.

Kit docs: "Subscribers could be added to either the push- or pop-side of the queue"; pop
subscribers are called when the stream is pumped (for Kit's own streams, during the update).
"""

from __future__ import annotations

import weakref
import zlib
from collections.abc import Callable
from typing import Any

_streams: weakref.WeakSet[IEventStream] = weakref.WeakSet()


def type_from_string(name: str) -> int:
    """A stable event type id from a name (Kit hashes the string)."""
    return zlib.crc32(name.encode())


class IEvent:
    def __init__(self, event_type: int, sender: int = 0, payload: dict[str, Any] | None = None):
        self.type = int(event_type)
        self.sender = sender
        self.payload = dict(payload or {})


class ISubscription:
    def __init__(self, stream: IEventStream, fn: Callable[[IEvent], None], name: str | None):
        self._stream: IEventStream | None = stream
        self.fn = fn
        self.name = name

    def unsubscribe(self) -> None:
        if self._stream is not None:
            self._stream._remove(self)
            self._stream = None

    def __del__(self) -> None:
        self.unsubscribe()


class IEventStream:
    def __init__(self) -> None:
        self._subs: list[weakref.ref[ISubscription]] = []
        self._queue: list[IEvent] = []
        _streams.add(self)

    def create_subscription_to_pop(
        self,
        fn: Callable[[IEvent], None],
        order: int = 0,
        name: str | None = None,
    ) -> ISubscription:
        sub = ISubscription(self, fn, name)
        self._subs.append(weakref.ref(sub))
        return sub

    def push(self, event_type: int = 0, sender: int = 0, payload: dict | None = None) -> None:
        self._queue.append(IEvent(event_type, sender, payload))

    def dispatch(self, event_type: int = 0, sender: int = 0, payload: dict | None = None) -> None:
        self._deliver(IEvent(event_type, sender, payload))

    def pump(self) -> None:
        queue, self._queue = self._queue, []
        for event in queue:
            self._deliver(event)

    def _deliver(self, event: IEvent) -> None:
        for ref in list(self._subs):
            sub = ref()
            if sub is not None and sub._stream is self:
                sub.fn(event)

    def _remove(self, sub: ISubscription) -> None:
        self._subs = [r for r in self._subs if r() is not None and r() is not sub]

    def live(self) -> int:
        return sum(1 for r in self._subs if r() is not None and r()._stream is self)


def _live_subscriptions() -> int:
    return sum(stream.live() for stream in list(_streams))
