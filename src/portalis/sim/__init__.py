"""``portalis.sim``: the stage runner any host drives (docs/usd.md).

from portalis.sim import Runtime
with Runtime(stage) as rt:
    rt.play()
    for _ in range(240):
        rt.step(1 / 60)
    print(rt.summary(), rt.failures)
"""

from portalis.sim.events import COLLISION, PLAY, STOP, Event
from portalis.sim.failures import Failure
from portalis.sim.runtime import Runtime
from portalis.sim.stats import ModuleSummary, PrimStatistics
from portalis.sim.writer import LiveWriter, Recorder

__all__ = [
    "COLLISION",
    "PLAY",
    "STOP",
    "Event",
    "Failure",
    "LiveWriter",
    "ModuleSummary",
    "PrimStatistics",
    "Recorder",
    "Runtime",
]
