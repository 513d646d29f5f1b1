"""Double of ``carb.eventdispatcher`` (Kit 107+ "Events 2.0"): ``get_eventdispatcher()
.observe_event(order=0, event_name=..., on_event=..., filter=None, observer_name=...)``
returns an ``ObserverGuard`` (``reset()``; dropping it stops observing). An ``Event`` has
``event_name`` and its payload by key (``event["dt"]``, ``event.get(key, default)``)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any


class Event:
    def __init__(self, event_name: str, payload: dict[str, Any]) -> None:
        self.event_name = event_name
        self._payload = payload

    def __getitem__(self, key: str) -> Any:
        return self._payload[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self._payload.get(key, default)

    def has_key(self, key: str) -> bool:
        return key in self._payload


class ObserverGuard:
    def __init__(self, dispatcher: IEventDispatcher, name: str, fn: Callable[[Event], None]):
        self._dispatcher: IEventDispatcher | None = dispatcher
        self.event_name = name
        self.fn = fn

    def reset(self) -> None:
        if self._dispatcher is not None:
            self._dispatcher._remove(self)
            self._dispatcher = None

    def __del__(self) -> None:
        self.reset()


class IEventDispatcher:
    def __init__(self) -> None:
        self._observers: list[weakref.ref[ObserverGuard]] = []

    def observe_event(
        self,
        order: int = 0,
        event_name: str = "",
        on_event: Callable[[Event], None] | None = None,
        filter: dict[str, Any] | None = None,
        observer_name: str = "",
    ) -> ObserverGuard:
        assert on_event is not None, "observe_event needs on_event"
        guard = ObserverGuard(self, event_name, on_event)
        self._observers.append(weakref.ref(guard))
        return guard

    def dispatch_event(self, event_name: str, payload: dict[str, Any] | None = None) -> None:
        event = Event(event_name, dict(payload or {}))
        for ref in list(self._observers):
            guard = ref()
            if guard is not None and guard._dispatcher is self and guard.event_name == event_name:
                guard.fn(event)

    def _remove(self, guard: ObserverGuard) -> None:
        self._observers = [r for r in self._observers if r() is not None and r() is not guard]

    def live(self) -> int:
        return sum(1 for r in self._observers if r() is not None and r()._dispatcher is self)


_dispatcher = IEventDispatcher()


def get_eventdispatcher() -> IEventDispatcher:
    return _dispatcher


def _reset() -> None:
    global _dispatcher
    _dispatcher = IEventDispatcher()


def _live_observers() -> int:
    return _dispatcher.live()
