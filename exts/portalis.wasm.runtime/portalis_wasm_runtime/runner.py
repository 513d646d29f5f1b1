"""The stage runner the extension adapts, under its current name.

``portalis.sim.Runner`` (``sim/runner.py``) is the runner's name from now on; until that
rename reaches this checkout, the runner is ``portalis.sim.Runtime``. Everything in the
extension imports it from here, so the switch is one line.
"""

from __future__ import annotations

try:
    from portalis.sim import Runner
except ImportError:  # the rename has not landed yet
    from portalis.sim import Runtime as Runner

__all__ = ["Runner"]
