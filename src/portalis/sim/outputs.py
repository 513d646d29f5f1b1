"""Where each result of a module call goes (docs/usd.md, "Outputs").

A result lands in an :class:`OutputPort`: ``outputs:NAME`` on the module prim, and every
attribute the ``outputs:NAME:targets`` relationship lists. A port's value is kept in memory
(other modules read it from there) and handed to a writer (live stage edits, or time samples
in a recording).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pxr import Sdf, Usd

from portalis.errors import SceneError
from portalis.sim import values
from portalis.sim.arrays import CopyPool
from portalis.usd import tokens as t


@dataclass
class Sink:
    """One attribute a port's value is written to; ``index`` picks one element of the value
    when a vector or array output is spread over scalar attributes (joint angles), or one row
    of an array output spread over vector attributes (a fleet's positions onto each robot's
    ``xformOp:translate``)."""

    path: Sdf.Path
    type_name: Sdf.ValueTypeName
    convert: Callable[[Any], Any]
    index: int | None = None
    #: The earlier sink of the same port whose USD value this one takes as it is (an array
    #: output and its target of the same value type: one Vt array, shared copy-on-write,
    #: rather than a conversion per attribute); None: converted for this sink.
    shares: int | None = None

    def usd_value(self, value: Any) -> Any:
        if self.index is None:
            return self.convert(value)
        try:
            item = value[self.index]
        except IndexError:
            raise SceneError(
                f"the output has {len(value)} element(s); its target {self.path} takes "
                f"element {self.index}",
                hint="give the output as many elements as it has targets",
            ) from None
        if isinstance(item, np.ndarray):  # a row: as a tuple, the converters' fast path
            item = tuple(item.tolist())
        return self.convert(item)


@dataclass
class OutputPort:
    """One output of a module prim and its latest value.

    ``kind`` says where the value comes from: ``result`` (results ``first`` to
    ``first + count``), ``array`` (an array parameter read back after the call) or
    ``state`` (a persistent state variable read after the call).
    """

    name: str
    path: Sdf.Path
    type_name: Sdf.ValueTypeName
    kind: str = "result"
    first: int = 0
    count: int = 1
    source_name: str = ""
    #: For an ``array`` port: the result holding how many elements of the array are the
    #: output (``NAME_count``); None: the whole array.
    length_result: int | None = None
    sinks: list[Sink] = field(default_factory=list)
    value: Any = None
    ready: bool = False
    #: For a port writing integer attributes: raises :class:`SceneError` when a value cannot
    #: be one (NaN, inf, out of range), at the call that produced it — not when the
    #: recording is written, after every frame. None for ports that need no check.
    check: Callable[[Any], None] | None = None
    #: Numbers per element of ``type_name`` (``point3f[]``: 3), at least 1.
    width: int = 1
    #: Whether a sink takes another's USD value (see :attr:`Sink.shares`).
    shares: bool = False
    #: For an ``array`` port: the arrays its values are copied into out of linear memory.
    pool: CopyPool = field(default_factory=CopyPool)

    def usd_values(self, value: Any) -> list[Any]:
        """``value`` as each sink writes it, in the order of :attr:`sinks`."""
        if not self.shares:
            return [sink.usd_value(value) for sink in self.sinks]
        made: list[Any] = []
        for sink in self.sinks:
            made.append(made[sink.shares] if sink.shares is not None else sink.usd_value(value))
        return made


def make_port(
    prim: Usd.Prim,
    name: str,
    type_name: Sdf.ValueTypeName,
    *,
    kind: str = "result",
    first: int = 0,
    count: int = 1,
    source_name: str = "",
) -> OutputPort:
    """A port for ``outputs:NAME`` with sinks for the attribute and its targets."""
    where = str(prim.GetPath())
    path = prim.GetPath().AppendProperty(t.OUTPUTS + name)
    port = OutputPort(name, path, type_name, kind, first, count, source_name)
    port.width = max(1, values.width(type_name))
    port.sinks.append(Sink(path, type_name, values.converter(type_name, where=where)))
    stage = prim.GetStage()
    rel = prim.GetRelationship(t.OUTPUTS + name + t.TARGETS_SUFFIX)
    targets = list(rel.GetTargets()) if rel else []
    spread = sum(1 for p in targets if _is_scalar_target(stage, p))
    element = 0
    row = 0
    for target in targets:
        attr = stage.GetAttributeAtPath(target)
        if not attr:
            raise SceneError(
                f"outputs:{name} targets {target}, which is not an existing attribute",
                prim_path=where,
            )
        target_type = attr.GetTypeName()
        index = None
        if _is_scalar_target(stage, target) and spread and _is_multi(type_name, count):
            index = element
            element += 1
        elif type_name.isArray and not target_type.isArray and values.width(target_type) > 1:
            if values.width(target_type) != values.width(type_name):
                raise SceneError(
                    f"outputs:{name} is a {type_name} but its target {target} is a "
                    f"{target_type}: each target takes one element, of the same width",
                    prim_path=where,
                )
            index = row
            row += 1
        if index is None and not type_name.isArray and not target_type.isArray:
            have, need = values.width(type_name), values.width(target_type)
            if have and need and have != need:
                # Caught here, at bind time, rather than as a bare conversion error when the
                # first result is written.
                raise SceneError(
                    f"outputs:{name} is a {type_name} ({have} number(s)) but its target "
                    f"{target} is a {target_type} ({need})",
                    prim_path=where,
                    hint="target an attribute of the same type, or one scalar attribute per "
                    "component",
                )
        port.sinks.append(
            Sink(target, target_type, values.converter(target_type, where=where), index)
        )
    _share_conversions(port)
    port.check = _integer_check(port, where)
    return port


def _share_conversions(port: OutputPort) -> None:
    """Sinks taking a whole array value of one Vt type (``point3f[]`` and ``point3f[]``, or
    ``color3f[]``: both ``Vt.Vec3fArray``) take one conversion of it."""
    first: dict[Any, int] = {}
    for k, sink in enumerate(port.sinks):
        if sink.index is not None or not sink.type_name.isArray:
            continue
        key = sink.type_name.type.pythonClass
        if key is None:
            continue
        if key in first:
            sink.shares = first[key]
            port.shares = True
        else:
            first[key] = k


def _integer_check(port: OutputPort, where: str) -> Callable[[Any], None] | None:
    """The check a value of ``port`` must pass to be written into its integer attributes."""
    integral = [
        (sink, bounds)
        for sink in port.sinks
        if (bounds := values.integer_range(sink.type_name)) is not None
    ]
    if not integral:
        return None
    low = max(bounds[0] for _, bounds in integral)
    high = min(bounds[1] for _, bounds in integral)
    sink = integral[0][0]
    name = port.name

    def refuse(problem: str) -> None:
        raise SceneError(
            f"outputs:{name} got {problem}; {sink.path} is a {sink.type_name} attribute "
            "and holds only such integers",
            prim_path=where,
            hint="return an integer, or author the output (and its targets) as double",
        )

    #: Per array dtype: whether every value of the type fits (an int32 array for an int[]
    #: needs no pass over its values); decided once per dtype, not per call.
    fitting: dict[np.dtype[Any], bool] = {}

    def check(value: Any) -> None:
        if type(value) is int and low <= value <= high:
            return  # a module's integer result, in range: the common case, no other test
        if isinstance(value, np.ndarray):
            dtype = value.dtype
            fits = fitting.get(dtype)
            if fits is None:
                info = np.iinfo(dtype) if dtype.kind in "iu" else None
                fits = fitting[dtype] = info is not None and low <= info.min and info.max <= high
            if fits:
                return
            if dtype.kind == "f" and not np.isfinite(value).all():
                refuse("a value that is not a finite number")
            if value.size and not (low <= value.min() and value.max() <= high):
                refuse(f"a value outside [{low}, {high}]")
            return
        for item in value if isinstance(value, tuple | list) else (value,):
            problem = values.integer_problem(item, low, high)
            if problem is not None:
                refuse(problem)

    return check


def _is_scalar_target(stage: Usd.Stage, path: Sdf.Path) -> bool:
    attr = stage.GetAttributeAtPath(path)
    return bool(attr) and not attr.GetTypeName().isArray and values.width(attr.GetTypeName()) == 1


def _is_multi(type_name: Sdf.ValueTypeName, count: int) -> bool:
    return type_name.isArray or values.width(type_name) > 1 or count > 1
