"""Checking a module prim's attributes before it runs.

USD records ``allowedTokens`` but does not enforce them, and accepts any float for a rate: a
scene can say ``executionMode = "sometimes"`` or ``updateRate = -5``. The runner refuses such a
prim with every problem named, rather than guessing.
"""

from __future__ import annotations

import re
from typing import Any

from pxr import Usd

from portalis.usd import tokens as t

_SHA256 = re.compile(r"^(sha256:)?[0-9a-fA-F]{64}$")


def problems(prim: Usd.Prim) -> list[str]:
    """What is wrong with ``prim``'s schema attributes, one sentence each (empty if nothing)."""
    found: list[str] = []
    for name, allowed in t.ALLOWED_TOKENS.items():
        attr = prim.GetAttribute(name)
        if not attr:
            continue
        value = attr.Get()
        if value not in allowed:
            found.append(f"{name} is {value!r}; allowed: {', '.join(allowed)}")

    def value_of(name: str) -> Any:
        attr = prim.GetAttribute(name)
        return attr.Get() if attr else None

    asset = value_of(t.WASM_PATH)
    if asset is None or not asset.path:
        found.append(f"{t.WASM_PATH} is empty")
    pin = value_of(t.WASM_SHA256)
    if pin and not _SHA256.match(str(pin)):
        found.append(f"{t.WASM_SHA256} {pin!r} is not a hex SHA-256 digest")
    rate = value_of(t.UPDATE_RATE)
    if rate is not None and not float(rate) > 0:
        found.append(f"{t.UPDATE_RATE} must be > 0 Hz, not {rate}")
    size = value_of(t.DATA_BUFFER_SIZE)
    if size is not None and int(size) < 0:
        found.append(f"{t.DATA_BUFFER_SIZE} must be ≥ 0, not {size}")
    grid = value_of(t.GRID_RESOLUTION)
    if grid is not None and min(grid) < 1:
        found.append(f"{t.GRID_RESOLUTION} must be ≥ 1 along each axis, not {tuple(grid)}")
    step = value_of(t.TIME_STEP)
    if step is not None and not float(step) >= 0:
        found.append(f"{t.TIME_STEP} must be ≥ 0 (0 means 1 / {t.UPDATE_RATE}), not {step}")
    elif (
        step is not None and float(step) == 0 and prim.GetAttribute(t.TIME_STEP).HasAuthoredValue()
    ):
        # The fallback 0 stands for "unset" (1 / updateRate); a scene that says 0 means a
        # fluid that never advances, which is a mistake.
        found.append(
            f"{t.TIME_STEP} is authored as 0: a step must advance time (leave it unauthored "
            f"for 1 / {t.UPDATE_RATE})"
        )
    for name in (t.VISCOSITY, t.DENSITY):
        value = value_of(name)
        if value is not None and not float(value) > 0:  # NaN fails too
            found.append(f"{name} must be > 0, not {value}")
    return found
