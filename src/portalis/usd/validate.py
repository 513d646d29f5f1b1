"""Checking a module prim's attributes before it runs.

USD records ``allowedTokens`` but does not enforce them, and accepts any float for a rate: a
scene can say ``executionMode = "sometimes"`` or ``updateRate = -5``. The runner refuses such a
prim with every problem named, rather than guessing.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pxr import Sdf, Usd

from portalis.usd import tokens as t

_SHA256 = re.compile(r"^(sha256:)?[0-9a-fA-F]{64}$")


def problems(prim: Usd.Prim) -> list[str]:
    """What is wrong with ``prim``'s schema attributes, one sentence each (empty if nothing).
    Total: whatever a layer authored (a wrong type, NaN, inf), this returns, never raises."""
    found = _wrong_types(prim)
    misauthored = {name for name, _ in found}
    found_text = [sentence for _, sentence in found]

    def value_of(name: str) -> Any:
        attr = prim.GetAttribute(name)
        return attr.Get() if attr and name not in misauthored else None

    for name, allowed in t.ALLOWED_TOKENS.items():
        value = value_of(name)
        if value is not None and value not in allowed:
            found_text.append(f"{name} is {value!r}; allowed: {', '.join(allowed)}")
    asset = value_of(t.WASM_PATH)
    if t.WASM_PATH not in misauthored and (asset is None or not asset.path):
        found_text.append(f"{t.WASM_PATH} is empty")
    pin = value_of(t.WASM_SHA256)
    if pin and not _SHA256.match(str(pin)):
        found_text.append(f"{t.WASM_SHA256} {pin!r} is not a hex SHA-256 digest")
    rate = value_of(t.UPDATE_RATE)
    if rate is not None and not 0 < rate < math.inf:
        found_text.append(f"{t.UPDATE_RATE} must be a finite number of Hz > 0, not {rate}")
    size = value_of(t.DATA_BUFFER_SIZE)
    if size is not None and size < 0:
        found_text.append(f"{t.DATA_BUFFER_SIZE} must be ≥ 0, not {size}")
    grid = value_of(t.GRID_RESOLUTION)
    if grid is not None and min(grid) < 1:
        found_text.append(f"{t.GRID_RESOLUTION} must be ≥ 1 along each axis, not {tuple(grid)}")
    step = value_of(t.TIME_STEP)
    # The fallback 0 stands for "unset" (1 / updateRate); an authored value, 0 included, must
    # advance time. One rule, one message, whatever the wrong value is.
    authored_step = step is not None and prim.GetAttribute(t.TIME_STEP).HasAuthoredValue()
    if authored_step and not 0 < step < math.inf:  # NaN fails too
        found_text.append(
            f"{t.TIME_STEP} must be a finite number > 0 when authored (leave it unauthored "
            f"for 1 / {t.UPDATE_RATE}), not {step}"
        )
    for name in (t.VISCOSITY, t.DENSITY):
        value = value_of(name)
        if value is not None and not 0 < value < math.inf:  # NaN fails too
            found_text.append(f"{name} must be a finite number > 0, not {value}")
    return found_text


def _kind(type_name: Sdf.ValueTypeName) -> str:
    """Type names that hold the same kind of value (``float`` and ``double`` are both one
    number), so only a real mismatch is reported."""
    scalar = type_name.scalarType
    if scalar in _NUMBERS:
        return "number[]" if type_name.isArray else "number"
    if scalar in _TEXT:
        return "text[]" if type_name.isArray else "text"
    return str(type_name)


_NUMBERS = frozenset(
    getattr(Sdf.ValueTypeNames, n)
    for n in ("Half", "Float", "Double", "Int", "UInt", "Int64", "UInt64", "UChar")
)
_TEXT = frozenset((Sdf.ValueTypeNames.String, Sdf.ValueTypeNames.Token))


def _wrong_types(prim: Usd.Prim) -> list[tuple[str, str]]:
    """Schema attributes a layer authored with another type (``string updateRate = "60"``):
    USD keeps the schema's type name but hands back the authored value as it is."""
    found: list[tuple[str, str]] = []
    for attr in prim.GetAttributes():
        declared = attr.GetTypeName()
        if not attr.HasAuthoredValue() or not prim.GetPrimDefinition().GetAttributeDefinition(
            attr.GetName()
        ):
            continue
        for spec in attr.GetPropertyStack(Usd.TimeCode.Default()):
            authored = spec.typeName
            if authored and _kind(authored) != _kind(declared):
                found.append(
                    (
                        attr.GetName(),
                        f"{attr.GetName()} is authored as {authored} in "
                        f"{spec.layer.identifier}; the schema declares {declared}",
                    )
                )
                break
    return found
