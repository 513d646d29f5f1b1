"""Named events: what event_driven prims run on.

The runner raises ``play`` and ``stop``; a physics prim whose step reports contact raises
``collision``; any module raises an event of its own by returning a non-zero value in an
output named ``event_NAME``; a host raises whatever it likes with
:meth:`portalis.sim.Runner.raise_event`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PLAY = "play"
STOP = "stop"
COLLISION = "collision"
#: Prefix of an output that raises an event when its value is non-zero.
EVENT_OUTPUT_PREFIX = "event_"


@dataclass(frozen=True)
class Event:
    """An event raised at simulated ``time``, by the prim at ``source`` (empty for the host)."""

    name: str
    source: str = ""
    time: float = 0.0
    payload: Any = field(default=None, compare=False)
