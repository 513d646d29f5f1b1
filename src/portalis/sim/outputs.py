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

from pxr import Sdf, Usd

from portalis.errors import SceneError
from portalis.sim import values
from portalis.usd import tokens as t


@dataclass
class Sink:
    """One attribute a port's value is written to; ``index`` picks one element of the value
    when a vector or array output is spread over scalar attributes (joint angles)."""

    path: Sdf.Path
    type_name: Sdf.ValueTypeName
    convert: Callable[[Any], Any]
    index: int | None = None

    def usd_value(self, value: Any) -> Any:
        return self.convert(value if self.index is None else value[self.index])


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
    port.sinks.append(Sink(path, type_name, values.converter(type_name, where=where)))
    stage = prim.GetStage()
    rel = prim.GetRelationship(t.OUTPUTS + name + t.TARGETS_SUFFIX)
    targets = list(rel.GetTargets()) if rel else []
    spread = sum(1 for p in targets if _is_scalar_target(stage, p))
    element = 0
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
    return port


def _is_scalar_target(stage: Usd.Stage, path: Sdf.Path) -> bool:
    attr = stage.GetAttributeAtPath(path)
    return bool(attr) and not attr.GetTypeName().isArray and values.width(attr.GetTypeName()) == 1


def _is_multi(type_name: Sdf.ValueTypeName, count: int) -> bool:
    return type_name.isArray or values.width(type_name) > 1 or count > 1
