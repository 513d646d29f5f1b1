"""Every node of a Python AST below one, faster than ``ast.walk``: the front end walks each
function's body several times (names it assigns, loop variables it rebinds), and
``ast.walk`` pays two generators per node. The order is depth-first, not ``ast.walk``'s
breadth-first: for callers that collect sets or counts, never for ones that depend on
order."""

from __future__ import annotations

import ast
from collections.abc import Iterator


def nodes(node: ast.AST) -> Iterator[ast.AST]:
    """``node`` and every AST node below it (its ``ctx`` objects included, as ast.walk)."""
    stack = [node]
    pop, push, AST = stack.pop, stack.append, ast.AST
    while stack:
        n = pop()
        yield n
        for name in n._fields:
            v = getattr(n, name, None)
            if isinstance(v, list):
                for item in v:
                    if isinstance(item, AST):
                        push(item)
            elif isinstance(v, AST):
                push(v)
