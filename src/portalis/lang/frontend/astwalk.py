"""Every node of a Python AST below one, faster than ``ast.walk``: the front end walks each
function's body several times (names it assigns, loop variables it rebinds), and
``ast.walk`` pays two generators per node. The order is depth-first, not ``ast.walk``'s
breadth-first: for callers that collect sets or counts, never for ones that depend on
order.

No walk here visits what no caller looks for: the operators and expression contexts
(``Add``, ``Eq``, ``Load``, ``Store``: shared leaves, over a third of a kernel's nodes; a
``Name``'s context is read from the name), nor reads the fields that hold names and flags
rather than nodes (``id``, ``attr``, ``level``): :data:`CHILD_FIELDS`.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

#: Fields whose values are operators or expression contexts, leaves of the tree.
LEAF_FIELDS = frozenset({"ctx", "op", "ops"})
#: Fields that hold strings, numbers or flags, never a node.
_PLAIN_FIELDS = frozenset(
    {"id", "attr", "arg", "name", "kind", "type_comment", "level", "module", "is_async",
     "simple", "conversion", "lineno", "tag"}
)  # fmt: skip


class _ChildFields(dict[type, tuple[str, ...]]):
    def __missing__(self, cls: type) -> tuple[str, ...]:
        skipped = LEAF_FIELDS | _PLAIN_FIELDS
        fields = self[cls] = tuple(f for f in cls._fields if f not in skipped)  # type: ignore[attr-defined]
        return fields


#: AST class → the fields that may hold child nodes other than operators and contexts.
CHILD_FIELDS: dict[type, tuple[str, ...]] = _ChildFields()


def has_leaves(node: ast.AST) -> bool:
    """Whether ``node`` has an operator or expression context below it (not walked)."""
    return not LEAF_FIELDS.isdisjoint(node._fields)


def children(node: ast.AST) -> list[ast.AST]:
    """The nodes directly below ``node``, in ``ast.iter_child_nodes``' order, but for
    operators and expression contexts."""
    out: list[ast.AST] = []
    for name in CHILD_FIELDS[node.__class__]:
        v = getattr(node, name, None)
        if v.__class__ is list:
            out += [item for item in v if isinstance(item, ast.AST)]
        elif isinstance(v, ast.AST):
            out.append(v)
    return out


def nodes(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and every AST node below it, but for operators and expression contexts."""
    stack = [node]
    pop, push, AST, child_fields = stack.pop, stack.append, ast.AST, CHILD_FIELDS
    while stack:
        n = pop()
        yield n
        for name in child_fields[n.__class__]:
            v = getattr(n, name, None)
            if v.__class__ is list:
                for item in v:
                    if isinstance(item, AST):
                        push(item)
            elif isinstance(v, AST):
                push(v)
