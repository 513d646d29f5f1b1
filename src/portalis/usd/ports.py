"""Authoring a module prim's inputs and outputs (docs/usd.md, "Binding").

* ``inputs:NAME`` holds a value, or is connected (a USD attribute connection) to the attribute
  it reads, which may be on any prim, the module's own schema attributes included.
* ``outputs:NAME`` receives a result; the relationship ``outputs:NAME:targets`` lists the
  attributes the result is forwarded to (a transform op, ``points``, joint angles …).

These helpers only author what a hand-written .usda file would say; the runner does not
depend on them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeAlias

from pxr import Sdf, Usd

from portalis.errors import SceneError
from portalis.usd import tokens as t

TypeName: TypeAlias = "str | Sdf.ValueTypeName"
AttrRef: TypeAlias = "str | Sdf.Path | Usd.Attribute"


def value_type(type_name: TypeName, *, where: str = "") -> Sdf.ValueTypeName:
    """``"double3"`` → ``Sdf.ValueTypeNames.Double3``; a clear error for unknown names."""
    if isinstance(type_name, Sdf.ValueTypeName):
        return type_name
    found = Sdf.ValueTypeNames.Find(type_name)
    if not found:
        raise SceneError(f"unknown USD value type {type_name!r}", prim_path=where)
    return found


def add_input(
    prim: Usd.Prim,
    name: str,
    type_name: TypeName,
    value: Any = None,
    *,
    connect: AttrRef | None = None,
) -> Usd.Attribute:
    """Create ``inputs:NAME`` holding ``value`` and/or connected to ``connect``.

    Inputs bind by name to modules built by Portalis, and by USD property order to others;
    this appends NAME to the prim's ``propertyOrder``, so create them in the order of the
    function's parameters."""
    attr = prim.CreateAttribute(t.INPUTS + name, value_type(type_name, where=str(prim.GetPath())))
    _keep_order(prim, attr.GetName())
    if value is not None:
        attr.Set(value)
    if connect is not None:
        attr.AddConnection(_path_of(connect))
    return attr


def connect_input(prim: Usd.Prim, name: str, source: AttrRef) -> None:
    """Connect the existing ``inputs:NAME`` of ``prim`` to ``source``."""
    attr = prim.GetAttribute(t.INPUTS + name)
    if not attr:
        raise SceneError(f"has no {t.INPUTS}{name}", prim_path=str(prim.GetPath()))
    attr.SetConnections([_path_of(source)])


def add_output(
    prim: Usd.Prim, name: str, type_name: TypeName, targets: Iterable[AttrRef] = ()
) -> Usd.Attribute:
    """Create ``outputs:NAME`` and the ``outputs:NAME:targets`` relationship to ``targets``
    (appending NAME to ``propertyOrder``, as :func:`add_input` does)."""
    attr = prim.CreateAttribute(t.OUTPUTS + name, value_type(type_name, where=str(prim.GetPath())))
    _keep_order(prim, attr.GetName())
    for target in targets:
        add_output_target(prim, name, target)
    return attr


def add_output_target(prim: Usd.Prim, name: str, target: AttrRef) -> None:
    """Forward ``outputs:NAME`` to ``target`` as well."""
    rel = prim.CreateRelationship(t.OUTPUTS + name + t.TARGETS_SUFFIX, custom=True)
    rel.AddTarget(_path_of(target))


def output_targets(prim: Usd.Prim, name: str) -> list[Sdf.Path]:
    """The attribute paths ``outputs:NAME`` forwards to, in authored order."""
    rel = prim.GetRelationship(t.OUTPUTS + name + t.TARGETS_SUFFIX)
    return list(rel.GetTargets()) if rel else []


def _keep_order(prim: Usd.Prim, name: str) -> None:
    """Append ``name`` to ``propertyOrder``: the only property order USD keeps on save."""
    order = list(prim.GetPropertyOrder())
    if name not in order:
        prim.SetPropertyOrder([*order, name])


def _path_of(ref: AttrRef) -> Sdf.Path:
    if isinstance(ref, Usd.Attribute):
        return ref.GetPath()
    path = Sdf.Path(str(ref))
    if not path.IsPropertyPath():
        raise SceneError(f"{ref} is not an attribute path (expected /Prim.attribute)")
    return path
