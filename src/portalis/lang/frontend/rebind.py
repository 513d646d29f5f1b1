"""Two ways ordinary code renames arrays: ``u = u.copy()`` (a parameter rebound to its own
copy, so the caller's array is left alone) and ``u, new = new, u`` (the double-buffer swap
of a stencil or a time-stepping loop).

The compiler relies on an array name keeping its extents for the whole function (the bounds
proofs, the loop passes). Both forms keep that true: a copy has the parameter's shape, and a
swap is only taken between two arrays the function made with one shape — one made as
``x.copy()`` or ``np.*_like(x)`` of the other (or of the same source). The swap exchanges
the two blocks' addresses (:class:`ir.SwapArrays`); each name still owns one block, freed
when the function returns unless it is returned.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.types import ArrayType

if TYPE_CHECKING:
    from portalis.lang.frontend.stmts import FunctionLowerer


def _swap_names(node: ast.AST) -> tuple[str, str] | None:
    """``a, b = b, a`` (two different names): (a, b); else None."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
        return None
    target, value = node.targets[0], node.value
    if not (isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple)):
        return None
    if len(target.elts) != 2 or len(value.elts) != 2:
        return None
    names = [e.id if isinstance(e, ast.Name) else None for e in (*target.elts, *value.elts)]
    a, b, c, d = names
    return (a, b) if a and b and a != b and (c, d) == (b, a) else None


def swapped_names(body: list[ast.stmt]) -> Counter[str]:
    """How often each name is assigned by a swap statement (not counted as making it)."""
    return count_swaps(node for stmt in body for node in ast.walk(stmt))


def count_swaps(nodes: Iterable[ast.AST]) -> Counter[str]:
    """:func:`swapped_names` over ``nodes``, every node of a body (or at least all its
    assignments: the lowering hands over those it met in its own walk)."""
    counts: Counter[str] = Counter()
    for node in nodes:
        names = _swap_names(node)
        if names is not None:
            counts.update(names)
    return counts


def group_of(lw: FunctionLowerer, source: ast.expr | None) -> str | None:
    """The shape group an array made from ``source`` (``x.copy()``, ``np.zeros_like(x)``)
    joins: ``x``'s own, when ``x`` names a whole array."""
    if isinstance(source, ast.Name) and source.id in lw.arrays and source.id not in lw.views:
        return lw.shape_groups.get(source.id, source.id)
    return None


def maker_source(call: ast.Call, kind: str) -> ast.expr | None:
    """The array a ``copy``/``*_like`` maker takes its shape from."""
    if kind == "copy" and isinstance(call.func, ast.Attribute) and call.func.attr == "copy":
        return call.func.value
    if kind == "copy" or kind.endswith("_like"):
        return call.args[0] if call.args else None
    return None


def copy_param(
    lw: FunctionLowerer, target: ast.Name, call: ast.Call, node: ast.Assign
) -> list[ir.Stmt] | None:
    """``u = u.copy()`` for an array parameter ``u``: from here on ``u`` is a new array the
    function owns (the caller's ``u`` is not written); None when ``node`` is not that."""
    n = target.id
    if lw.array_maker(call) != "copy" or not isinstance(maker_source(call, "copy"), ast.Name):
        return None
    source = maker_source(call, "copy")
    params = {p.name for p in lw.sig.params if isinstance(p.type, ArrayType)}
    if source.id != n or n not in params or n in lw.owned:  # type: ignore[union-attr]
        return None
    if id(node) not in lw.top_level or lw.store_counts.get(n, 0) - lw.swapped.get(n, 0) != 1:
        raise lw.err(
            node,
            f"`{n} = {n}.copy()` rebinds the parameter once, at the top level of the function",
            "copy it before loops and branches, or copy into another name",
        )
    group = lw.shape_groups.get(n, n)
    alloc = lw.make_array(lw.hidden(n), call, "copy")
    lw.arrays[n] = alloc.array
    lw.owned.add(n)
    lw.shape_groups[n] = group
    return [alloc]


def swap(lw: FunctionLowerer, node: ast.Assign) -> list[ir.Stmt] | None:
    """``a, b = b, a`` of two arrays: their blocks exchanged; None when ``node`` is not a
    swap of arrays."""
    names = _swap_names(node)
    if names is None:
        return None
    a, b = names
    arrays = [lw.arrays.get(x) if x not in lw.views else None for x in names]
    if arrays[0] is None and arrays[1] is None:
        return None  # numbers: an ordinary tuple assignment
    first, second = arrays
    same_group = lw.shape_groups.get(a, a) == lw.shape_groups.get(b, b)
    if (
        first is None
        or second is None
        or a not in lw.owned
        or b not in lw.owned
        or first.type != second.type
        or not same_group
    ):
        raise lw.err(
            node,
            f"swapping `{a}` and `{b}`: both must be arrays this function made, of one shape "
            "(one made as a copy or *_like of the other)",
            f"make them so: {b} = np.empty_like({a}) (or {a}.copy()); "
            "other arrays keep their names",
        )
    if any({first.name, second.name} & walked for walked in lw.iterating):
        raise lw.err(
            node,
            f"swapping `{a}` and `{b}` inside a `for` loop over one of them: the loop would "
            "go on over the other array (Python's keeps the old one)",
            "loop with for i in range(len(a)) and index, or swap after the loop",
        )
    bound = sorted(v.name for v in lw.views.values() if v.base.name in (first.name, second.name))
    if bound:  # a view reads its base's current block; Python's keeps the old object
        raise lw.err(
            node,
            f"swapping `{a}` and `{b}` while `{bound[0]}` is a view of one of them: after the "
            "swap it would see the other array (in Python it keeps the old one)",
            "bind views after the swap (row = u[i] inside the loop), or index the arrays directly",
        )
    return [ir.SwapArrays(node.lineno, node.col_offset, first, second)]
