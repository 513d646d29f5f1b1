"""The design of a sweep: which attributes vary, over which values, and the variants that
makes.

A ``--vary`` spec names one attribute of the scene and its values::

    /World/Physics.inputs:speed=10:30:21      21 values evenly from 10 to 30 (ends included)
    /World/Physics.inputs:angle_deg=[30,45,60]  exactly these values (numbers, true/false, "text")

Without ``--samples`` the variants are the full grid of the specs' values, the first spec
varying slowest. With ``--samples N --seed S`` they are N points drawn at random (the same
N points for the same seed, on any machine): a range ``A:B`` (or ``A:B:N``, whose count is then
ignored) is drawn uniformly between its ends, a list picks one of its values.

Nothing here touches USD: whether the attribute exists, and takes such values, is checked
against the scene by :mod:`portalis.sweep.variant` before anything runs.
"""

from __future__ import annotations

import ast
import itertools
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from portalis.errors import PortalisError

#: A value an override may set: what USD's scalar attribute types take from a spec.
Value = float | int | bool | str

#: ``PRIM.PROPERTY=VALUES``: an absolute prim path, a property name (namespaces allowed).
_SPEC = re.compile(r"^(?P<prim>/[^.=\s]*)\.(?P<name>[A-Za-z_][\w:]*)=(?P<values>.*)$", re.S)


class SweepError(PortalisError):
    """A sweep cannot be run as asked: a bad ``--vary`` spec, an attribute the scene does not
    have, an output folder holding another sweep."""


@dataclass(frozen=True)
class Axis:
    """One varied attribute: ``attribute`` (``/World/Physics.inputs:speed``) and either the
    ``values`` of a list or grid range, or the ``low``/``high`` ends of a range."""

    spec: str
    attribute: str
    values: tuple[Value, ...]
    low: float | None = None
    high: float | None = None

    @property
    def is_range(self) -> bool:
        return self.low is not None


@dataclass(frozen=True)
class Variant:
    """One run of the scene: its number (0 …) and the value of each varied attribute."""

    index: int
    values: dict[str, Value]

    @property
    def name(self) -> str:
        """Its folder's name under ``DIR/variants/``."""
        return f"{self.index:04d}"


def parse_vary(spec: str) -> Axis:
    """Parse one ``--vary`` spec (see the module docstring); a bad one raises
    :class:`SweepError` saying what is wrong with it and what would be right."""
    match = _SPEC.match(spec.strip())
    if match is None:
        raise SweepError(
            f"--vary {spec!r}: expected PRIM.ATTRIBUTE=VALUES",
            hint='e.g. --vary "/World/Physics.inputs:speed=10:30:21" or '
            '--vary "/World/Physics.inputs:angle_deg=[30,45,60]"',
        )
    attribute = f"{match['prim']}.{match['name']}"
    text = match["values"].strip()
    if text.startswith("["):
        return Axis(spec, attribute, _parse_list(spec, text))
    return _parse_range(spec, attribute, text)


def _parse_list(spec: str, text: str) -> tuple[Value, ...]:
    try:
        parsed = ast.literal_eval(text.replace("true", "True").replace("false", "False"))
    except (ValueError, SyntaxError):
        raise SweepError(
            f"--vary {spec!r}: {text} is not a list of values",
            hint='write numbers, true/false or "quoted text", e.g. [30, 45, 60]',
        ) from None
    if not isinstance(parsed, list) or not parsed:
        raise SweepError(f"--vary {spec!r}: the list of values is empty")
    for value in parsed:
        if not isinstance(value, float | int | bool | str):
            raise SweepError(
                f"--vary {spec!r}: {value!r} is not a number, true/false or text",
                hint="a list holds single values, e.g. [30, 45, 60]",
            )
    return tuple(parsed)


def _parse_range(spec: str, attribute: str, text: str) -> Axis:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise SweepError(
            f"--vary {spec!r}: {text!r} is neither a range START:STOP:COUNT nor a [list]",
            hint="e.g. 10:30:21 (21 values from 10 to 30) or [30,45,60]",
        )
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise SweepError(f"--vary {spec!r}: the ends of range {text!r} must be numbers") from None
    if not (low == low and high == high) or abs(low) == float("inf") or abs(high) == float("inf"):
        raise SweepError(f"--vary {spec!r}: the ends of range {text!r} must be finite")
    if len(parts) == 2:  # only meaningful for random designs; checked in make_design
        return Axis(spec, attribute, (), low, high)
    try:
        count = int(parts[2])
    except ValueError:
        raise SweepError(
            f"--vary {spec!r}: the count {parts[2]!r} of range {text!r} must be a whole number"
        ) from None
    if count < 1:
        raise SweepError(f"--vary {spec!r}: the count of range {text!r} must be at least 1")
    if count == 1:
        values: tuple[Value, ...] = (low,)
    else:
        values = tuple(low + (high - low) * k / (count - 1) for k in range(count))
    return Axis(spec, attribute, values, low, high)


def make_design(
    axes: Sequence[Axis], *, samples: int | None = None, seed: int = 0
) -> list[Variant]:
    """The variants of a sweep: the grid of ``axes``, or ``samples`` random points."""
    if not axes:
        raise SweepError("nothing to vary", hint='give at least one --vary "PRIM.ATTR=VALUES"')
    seen: set[str] = set()
    for axis in axes:
        if axis.attribute in seen:
            raise SweepError(f"--vary names {axis.attribute} twice")
        seen.add(axis.attribute)
    if samples is None:
        for axis in axes:
            if not axis.values:
                raise SweepError(
                    f"--vary {axis.spec!r}: a range needs a count, START:STOP:COUNT",
                    hint="or draw random points from START:STOP with --samples N",
                )
        grid = itertools.product(*(axis.values for axis in axes))
        return [
            Variant(k, {axis.attribute: value for axis, value in zip(axes, point, strict=True)})
            for k, point in enumerate(grid)
        ]
    if samples < 1:
        raise SweepError(f"--samples {samples}: at least 1 variant is needed")
    rng = random.Random(seed)  # Python's Mersenne Twister: the same draws on every platform
    variants = []
    for k in range(samples):
        values: dict[str, Value] = {}
        for axis in axes:
            if axis.is_range:
                assert axis.low is not None and axis.high is not None
                values[axis.attribute] = rng.uniform(axis.low, axis.high)
            else:
                values[axis.attribute] = rng.choice(axis.values)
        variants.append(Variant(k, values))
    return variants
