"""Walking the IR: the fields of a node that may hold nodes, and every node below one.

One walker for every pass (the inliner, the ABI's write analysis, the back end's loop
passes): walking is the compiler's hottest loop, so the child fields are found once per
node class, and the walk keeps an explicit stack instead of a generator per level.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from portalis.lang import ir

#: Fields that never hold IR nodes (names, types, array descriptors, flags), skipped.
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
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def child_fields(node: Any) -> tuple[str, ...]:
    """Names of the fields of ``node``'s class that may hold IR nodes (cached per class)."""
    cls = type(node)
    names = _CHILD_FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls) if f.name not in _NOT_CHILDREN)
        _CHILD_FIELDS[cls] = names
    return names


def walk(node: Any) -> Iterator[Any]:
    """``node`` and every IR node below it, in pre-order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        children: list[Any] = []
        for name in child_fields(n):
            v = getattr(n, name)
            if isinstance(v, ir.Node):
                children.append(v)
            elif isinstance(v, list):
                children.extend(item for item in v if isinstance(item, ir.Node))
        stack.extend(reversed(children))
