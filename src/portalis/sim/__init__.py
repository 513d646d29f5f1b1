"""``portalis.sim``: the stage runner any host drives (docs/usd.md).

from portalis.sim import Runner
with Runner(stage) as runner:
    runner.play()
    for _ in range(240):
        runner.step(1 / 60)
    print(runner.summary(), runner.failures)

``Runtime`` is the runner's former name, kept as a deprecated alias because the documentation
promised it; it warns once per use and will be removed.
"""

import warnings

from portalis.sim.events import COLLISION, PLAY, STOP, Event
from portalis.sim.failures import Failure, SceneWarning
from portalis.sim.runner import Runner
from portalis.sim.stats import ModuleSummary, PrimStatistics
from portalis.sim.writer import LiveWriter, Recorder


def deprecated_runtime() -> type[Runner]:
    """``Runner`` under its former name, with a DeprecationWarning pointing at the caller's
    line (two frames up: this function, then a module ``__getattr__``)."""
    warnings.warn(
        "portalis.Runtime / portalis.sim.Runtime is now Runner; the old name will be removed",
        DeprecationWarning,
        stacklevel=3,
    )
    return Runner


def __getattr__(name: str) -> object:
    if name == "Runtime":
        return deprecated_runtime()
    raise AttributeError(f"module 'portalis.sim' has no attribute {name!r}")


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
    "Runner",
    "SceneWarning",
]
