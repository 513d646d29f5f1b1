"""Walking the IR: the fields of a node that may hold nodes, and every node below one.

One walker for every pass (the inliner, the ABI's write analysis, the back end's loop
passes): walking is the compiler's hottest loop. So each node class is looked at once: its
fields are sorted by their annotations into those holding a node (or None), those holding
a list of nodes, those that never hold one (names, numbers, types, array descriptors) and,
for an annotation not recognised here, those checked value by value. The walk keeps an
explicit stack instead of a generator per level.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator
from typing import Any

from portalis.lang import ir

#: Fields that never hold IR nodes (names, types, array descriptors, flags), by name.
_NOT_CHILDREN = frozenset(
    [
        "line",
        "col",
        "ty",
        "name",
        "symbol",
        "op",
        "temp",
        "kind",
        "lowering",
        "exception",
        "label",
        "counter",
        "limit",
        "stride",
        "var",
        "names",
        "offset",
        "length",
        "array",
        "safe",
        "nonneg",
    ]
)
#: Annotations (as written in ir.py) of fields holding one node or None, a list of nodes,
#: or never a node.
_NODE = frozenset(["Expr", "Stmt", "Node", "Expr | None", "Stmt | None", "Node | None"])
_NODE_LIST = frozenset(["list[Expr]", "list[Stmt]", "list[Node]"])
_PLAIN = frozenset(
    ["int", "float", "bool", "str", "int | float | bool", "ListRef", "ArrayRef", "Type"]
)

#: Kinds of child field: one node or None, a list of nodes, anything (checked per value).
ONE, LIST, ANY = 0, 1, 2
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_LAYOUT: dict[type, tuple[tuple[str, int], ...]] = {}
#: The layouts worked out so far, by class, for hot loops (``LAYOUTS.get(cls) or
#: layout(cls)`` saves a call per node); read only.
LAYOUTS = _LAYOUT


def child_fields(node: Any) -> tuple[str, ...]:
    """Names of the fields of ``node``'s class that may hold IR nodes (cached per class)."""
    cls = type(node)
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(name for name, _ in layout(cls))
        _CHILD_FIELDS[cls] = names
    return names


def layout(cls: type) -> tuple[tuple[str, int], ...]:
    """(field, kind) of the fields of ``cls`` that may hold nodes, in declaration order."""
    layout = _LAYOUT.get(cls)
    if layout is None:
        out: list[tuple[str, int]] = []
        for f in dataclasses.fields(cls):
            annotation = str(f.type)
            if f.name in _NOT_CHILDREN or annotation in _PLAIN:
                continue
            kind = ONE if annotation in _NODE else LIST if annotation in _NODE_LIST else ANY
            out.append((f.name, kind))
        layout = _LAYOUT[cls] = tuple(out)
    return layout


def children(node: Any) -> list[Any]:
    """The IR nodes directly inside ``node``, in field order."""
    layout_ = _LAYOUT.get(node.__class__)
    if layout_ is None:
        layout_ = layout(node.__class__)
    out: list[Any] = []
    for name, kind in layout_:
        v = getattr(node, name)
        if kind == ONE:
            if v is not None:
                out.append(v)
        elif kind == LIST:
            out += v
        elif isinstance(v, ir.Node):
            out.append(v)
        elif isinstance(v, list):
            out += [x for x in v if isinstance(x, ir.Node)]
    return out


def walk(node: Any) -> Iterator[Any]:
    """``node`` and every IR node below it, in pre-order."""
    stack = [node]
    pop, push, layouts = stack.pop, stack.append, _LAYOUT
    while stack:
        n = pop()
        yield n
        layout_ = layouts.get(n.__class__)
        if layout_ is None:
            layout_ = layout(n.__class__)
        if not layout_:
            continue
        # Children are pushed last to first, so they come off the stack in order.
        for name, kind in reversed(layout_):
            v = getattr(n, name)
            if kind == ONE:
                if v is not None:
                    push(v)
            elif kind == LIST:
                stack.extend(reversed(v))
            elif isinstance(v, ir.Node):
                push(v)
            elif isinstance(v, list):
                stack.extend(reversed([x for x in v if isinstance(x, ir.Node)]))


def substitute_local(node: ir.Node, name: str, value: ir.Expr) -> None:
    """Replace the direct children of ``node`` that read local ``name`` by copies of
    ``value`` (a pass folding a temporary into its uses walks the nodes and calls this)."""
    for f in dataclasses.fields(node):
        v = getattr(node, f.name)
        if isinstance(v, ir.LocalGet) and v.name == name:
            setattr(node, f.name, copy.deepcopy(value))
        elif isinstance(v, list):
            for k, item in enumerate(v):
                if isinstance(item, ir.LocalGet) and item.name == name:
                    v[k] = copy.deepcopy(value)
