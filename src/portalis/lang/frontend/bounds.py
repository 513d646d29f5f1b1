"""Which array indices need no bounds check: a ``for`` variable counting up through
``range(lo, len(a) - m)`` indexes ``a`` (offset by a constant ``c`` with ``lo + c >= 0`` and
``c <= m``) within its extent on every iteration, provided nothing else assigns it.

Recognised extents: ``len(a)``, ``a.shape[k]``, a local assigned exactly once from one of
those, minus a constant; and integer constants against arrays of fixed shape. Anything else
keeps its check: the analysis only ever removes checks it can prove redundant.
"""

from __future__ import annotations

import ast

from portalis.lang.frontend import astwalk

# Extent and Range are plain classes, not dataclasses: this module is imported by a
# process's first build, and making a frozen dataclass (its methods generated and
# compiled) costs that build ~0.5 ms each.


class Extent:
    """``stop = dim(array, axis) + offset`` (array given) or ``stop = offset`` (a constant)."""

    __slots__ = ("array", "axis", "offset")

    def __init__(self, array: str | None, axis: int, offset: int) -> None:
        self.array = array
        self.axis = axis
        self.offset = offset


class Range:
    __slots__ = ("lo", "stop")

    def __init__(self, lo: int, stop: Extent | None) -> None:
        self.lo = lo  # a lower bound of the loop variable
        self.stop = stop  # the variable stays below this (None: no recognised extent)


def _const_int(node: ast.expr) -> int | None:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if (
        isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    return None


def _split_offset(node: ast.expr) -> tuple[ast.expr, int]:
    """``x + c`` / ``x - c`` → (x, ±c); anything else → (node, 0)."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        c = _const_int(node.right)
        if c is not None:
            return node.left, c if isinstance(node.op, ast.Add) else -c
    return node, 0


def extent_of(node: ast.expr, arrays: set[str], aliases: dict[str, Extent]) -> Extent | None:
    """The extent ``node`` denotes, when it is one of the recognised forms."""
    c = _const_int(node)
    if c is not None:
        return Extent(None, 0, c)
    base, offset = _split_offset(node)
    if isinstance(base, ast.Name) and base.id in aliases:
        e = aliases[base.id]
        return Extent(e.array, e.axis, e.offset + offset)
    if (
        isinstance(base, ast.Call)
        and isinstance(base.func, ast.Name)
        and base.func.id == "len"
        and len(base.args) == 1
        and isinstance(base.args[0], ast.Name)
        and base.args[0].id in arrays
    ):
        return Extent(base.args[0].id, 0, offset)
    if (
        isinstance(base, ast.Subscript)
        and isinstance(base.value, ast.Attribute)
        and base.value.attr == "shape"
        and isinstance(base.value.value, ast.Name)
        and base.value.value.id in arrays
    ):
        k = _const_int(base.slice)
        if k is not None and k >= 0:
            return Extent(base.value.value.id, k, offset)
    return None


def lower_bound(node: ast.expr, ranges: dict[str, Range]) -> int | None:
    """A constant lower bound of ``node`` (a literal, or a safe loop variable ± c)."""
    c = _const_int(node)
    if c is not None:
        return c
    base, offset = _split_offset(node)
    if isinstance(base, ast.Name) and base.id in ranges:
        return ranges[base.id].lo + offset
    return None


def index_is_safe(
    index: ast.expr,
    array: str,
    axis: int,
    shape: tuple[int, ...] | None,
    ranges: dict[str, Range],
    same: dict[tuple[str, int], tuple[str, int]],
) -> bool:
    """Whether ``array[... index ...]`` (at ``axis``) is always within bounds. ``same``
    maps an (array, axis) to a representative of the extents asserted equal to it."""
    base, c = _split_offset(index)
    if not isinstance(base, ast.Name) or base.id not in ranges:
        k = _const_int(index)
        return k is not None and shape is not None and 0 <= k < shape[axis]
    r = ranges[base.id]
    if r.lo + c < 0 or r.stop is None:
        return False
    stop = r.stop
    if stop.array is None:  # the variable stays below a constant
        return shape is not None and stop.offset + c <= shape[axis]
    if same.get((stop.array, stop.axis), (stop.array, stop.axis)) == same.get(
        (array, axis), (array, axis)
    ):
        return stop.offset + c <= 0
    return False


def index_is_nonneg(index: ast.expr, ranges: dict[str, Range]) -> bool:
    """Whether ``index`` is never negative (so only its upper bound needs a check): a
    non-negative literal, or a loop variable plus a constant at least its negated lower
    bound."""
    lo = lower_bound(index, ranges)
    return lo is not None and lo >= 0


def asserted_equal_extents(
    test: ast.expr,
    arrays: set[str],
    aliases: dict[str, Extent],
    same: dict[tuple[str, int], tuple[str, int]],
) -> None:
    """Record ``assert len(out) == len(a)`` / ``assert b.shape[1] == m and ...``: after the
    assert those extents are equal (arrays never change shape during a call)."""
    parts = test.values if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And) else [test]
    for part in parts:
        if not (isinstance(part, ast.Compare) and all(isinstance(o, ast.Eq) for o in part.ops)):
            continue
        extents = [extent_of(e, arrays, aliases) for e in [part.left, *part.comparators]]
        keys = [
            (e.array, e.axis)
            for e in extents
            if e is not None and e.array is not None and e.offset == 0
        ]
        if len(keys) != len(extents) or len(keys) < 2:
            continue
        roots = {same.get(k, k) for k in keys}
        root = min(roots)
        for k, v in list(same.items()):
            if v in roots:
                same[k] = root
        for k in keys:
            same[k] = root


def assigned_names(body: list[ast.stmt]) -> dict[str, int]:
    """How many times each name is bound in ``body`` (assignments, loop targets)."""
    counts: dict[str, int] = {}
    for stmt in body:
        for n in astwalk.nodes(stmt):
            if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                counts[n.id] = counts.get(n.id, 0) + 1
    return counts
