"""A double of exactly the Kit APIs the ``portalis.wasm.runtime`` extension calls, so its tests
run under pytest without Omniverse Kit (which cannot be installed here: its packages download
from a host these machines cannot reach).

Nothing here is Kit. It is written from Kit's documentation (the omni.kit.app, omni.usd,
omni.timeline, omni.ui, carb.settings, carb.events and carb.eventdispatcher API references and
the Kit manual's pages on extensions, events and testing): the same module names, function
signatures, enum members and event payload keys, and the same order of work in one app update:

1. the timeline applies requested state changes (play / pause / stop / set_current_time) and
   dispatches their events (Kit: ``eUsdTimelineStateRefresh``, early in the update);
2. a playing timeline advances by the update's ``dt`` and dispatches ``CURRENT_TIME_TICKED``;
3. queued stage events (``OPENED``, ``CLOSING``, ``CLOSED`` …) are popped to subscribers;
4. the update event (``payload["dt"]``) goes to its subscribers.

Under it is a real ``pxr.Usd`` stage (usd-core): what the extension writes is real USD.

Only what the extension uses exists. A test that needs more Kit should add it here, from
Kit's documentation, with the real signature. :func:`install` puts the double's folder first
on ``sys.path`` (the extension's ``exts/conftest.py`` does this for pytest); :func:`reset`
gives each test a fresh app (no stage, timeline stopped at 0, empty settings).
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent


def install() -> None:
    """Make ``import omni.*`` / ``import carb.*`` find this double."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))


def reset() -> None:
    """Fresh singletons: app, settings, USD context, timeline, windows, dispatcher."""
    install()
    import carb.eventdispatcher
    import carb.settings
    import omni.kit.app
    import omni.timeline
    import omni.ui
    import omni.usd

    carb.eventdispatcher._reset()
    carb.settings._reset()
    omni.usd._reset()
    omni.timeline._reset()
    omni.ui._reset()
    omni.kit.app._reset()


def live_subscriptions() -> int:
    """Subscriptions and observers still held on every stream of the double: what an extension
    that shut down cleanly leaves is zero."""
    import carb.eventdispatcher
    import carb.events
    import carb.settings

    return (
        carb.events._live_subscriptions()
        + carb.eventdispatcher._live_observers()
        + carb.settings._live_subscriptions()
    )
