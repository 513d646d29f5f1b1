"""Slices as views: ``a[lo:hi]``, ``m[i, lo:hi]``, ``m[lo:hi]`` (rows), ``m[i, :]``.

A slice is a view (no copy, as NumPy's basic slicing): a :class:`View` of the same base
array whose first axis starts at base element ``start`` and has ``length`` elements. Every
access through it is an access of the base array — ``s[k]`` is ``a[start + k]``, with ``k``
checked against ``length`` (negative counts from the slice's end) — so the ABI's ``writes``
analysis, the loop passes and the bounds machinery all see the array really touched.

Bounds follow CPython's ``PySlice_AdjustIndices`` exactly (prelude/slice_bound.py): a
negative bound counts from the end, then each bound is clamped into ``[0, n]`` and the
length is ``max(hi - lo, 0)``; out-of-range bounds never raise.

Views of a bounded slice on the first axis not fixed by an index, every later axis whole,
stay C-contiguous: a kernel can pass them on as ordinary arrays. A slice with a step
(``a[::2]``, ``a[::-1]``, frontend/strided.py) and a column ``m[:, j]`` of a 2-D array are
strided views read and written element by element (``col[i]`` is ``m[i, j]``, ``len(col)``,
``for x in m[:, j]``, whole-view arithmetic), never passed or copied as an array. Bounded
slices or steps of a later axis are refused with a located error, as is fancy indexing
other than the row swap (frontend/fancy_rows.py).
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend import strided
from portalis.lang.frontend.diagnostics import shown
from portalis.lang.types import BOOL, I64, ArrayType

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer, View


def subview(
    lw: ExprLowerer, node: ast.Subscript, base: View, idx_nodes: list[ast.expr]
) -> View | None:
    """The view ``node`` makes from ``base`` with ``idx_nodes`` (ints, then slices); None
    when every axis gets an int (an element, not a view)."""
    from portalis.lang.frontend.exprs import View

    line, col = node.lineno, node.col_offset
    ndim = base.type.ndim
    if len(idx_nodes) > ndim:
        raise lw.err(node, f"`{shown(node)}`: too many indices for a {ndim}-D array")
    if base.column is not None:
        if len(idx_nodes) == 1 and not isinstance(idx_nodes[0], ast.Slice):
            return None  # an element of the column
        raise lw.err(node, f"`{shown(node)}`: slices of a column are not supported",
                     "index the column's elements: col[i]")  # fmt: skip
    ints: list[ast.expr] = []
    rest = list(idx_nodes)
    while rest and not isinstance(rest[0], ast.Slice):
        ints.append(rest.pop(0))
    column = (
        ndim - len(ints) == 2
        and len(rest) == 2
        and _whole(rest[0])
        and not isinstance(rest[1], ast.Slice)
        and (base.start is None or not ints)
    )
    if column:
        rest = rest[:1]  # m[i][:, j]: the ints first, then the column of what they leave
    for k, item in enumerate(rest):
        if not isinstance(item, ast.Slice):
            raise lw.err(
                node,
                f"`{shown(node)}` takes a column (a strided view), which is not supported",
                "loop over the rows instead: for i in range(a.shape[0]): ... a[i, j] ...",
            )
        if item.step is not None and (k or column):
            raise lw.err(
                item,
                f"`{shown(node)}`: a step on a later axis is not supported (a strided view)",
                "loop with range(lo, hi, step) over the elements",
            )
        if k and (item.lower is not None or item.upper is not None):
            raise lw.err(
                item,
                f"`{shown(node)}` bounds a later axis, which makes a strided view (not supported)",
                "slice the first axis only (a[lo:hi], m[i, lo:hi]); loop for the rest",
            )
    if not rest and len(ints) == ndim:
        return None  # an element
    view = base
    for i in ints:  # each int fixes the view's first axis
        axis = _axis_index(lw, view, i, node)
        element = view.type.element
        view = View(
            f"<{shown(node)}>",
            view.base,
            [*view.prefix, axis],
            ArrayType(element, view.type.ndim - 1),
            setup=list(view.setup),
        )
    if column:  # m[:, j]: a column, its index checked where it is made
        if view.start is not None:
            raise lw.err(node, f"`{shown(node)}`: columns of a slice are not supported",
                         "index the slice's elements: s[i, j]")  # fmt: skip
        j_node = idx_nodes[-1]
        j = ir.CheckedIndex(line, col, I64, view.base, view.depth + 1, lw.index(j_node))
        return View(
            f"<{shown(node)}>", view.base, list(view.prefix),
            ArrayType(view.type.element, 1), setup=list(view.setup), column=j,
        )  # fmt: skip
    if not rest or _whole(rest[0]):
        return _renamed(view, f"<{shown(node)}>")  # a[i, :] is a[i]; a[:] is a
    first = rest[0]
    assert isinstance(first, ast.Slice)
    n = lw.view_dim(node, _without_setup(view), 0)
    if first.step is not None:  # a[lo:hi:step], a[::-1]: a strided view
        return _renamed(strided.stepped(lw, node, view, first, n), f"<{shown(node)}>")
    setup = list(view.setup)
    lo = _bound(lw, first.lower, n, 0, setup, line, col)
    hi = _bound(lw, first.upper, n, None, setup, line, col)
    start: ir.Expr = lo
    if view.start is not None:
        start = strided.position(view, lo)
    diff = ir.Binary(line, col, I64, "sub", hi, lo)
    positive = ir.Compare(line, col, BOOL, "gt", diff, ir.Const(line, col, I64, 0))
    length = ir.IfExp(line, col, I64, positive, diff, ir.Const(line, col, I64, 0))
    return View(
        f"<{shown(node)}>",
        view.base,
        list(view.prefix),
        view.type,
        start=start,
        length=length,
        setup=setup,
        stable=False,
        step=view.step,  # a bounded slice of a stepped view walks with its step
    )


def _whole(node: ast.expr) -> bool:
    return isinstance(node, ast.Slice) and node.lower is node.upper is node.step is None


def _renamed(view: View, name: str) -> View:
    from portalis.lang.frontend.exprs import View

    return View(
        name, view.base, list(view.prefix), view.type, view.start, view.length,
        list(view.setup), view.stable, view.column, view.step,
    )  # fmt: skip


def _without_setup(view: View) -> View:
    """``view`` for reading an extent inside its own setup (which is already running)."""
    from portalis.lang.frontend.exprs import View

    return View(
        view.name, view.base, list(view.prefix), view.type, view.start, view.length,
        step=view.step,
    )  # fmt: skip


def _bound(
    lw: ExprLowerer,
    node: ast.expr | None,
    n: ir.Expr,
    default: int | None,
    setup: list[ir.Stmt],
    line: int,
    col: int,
) -> ir.Expr:
    """One slice bound, clamped as CPython clamps it, held in a hidden local set by
    ``setup`` (so it is evaluated once, in Python's order)."""
    if node is None:
        value: ir.Expr = ir.Const(line, col, I64, default) if default is not None else n
    else:
        e = lw.lower_scalar(node)
        if lw.scalar(e, node).is_float:
            raise lw.err(node, "slice bounds must be int, got float", "convert with int(...)")
        e = lw.coerce(e, I64, node, "slice bound")
        symbol = lw.program.use_prelude("slice_bound", lw.d, node)
        value = ir.Call(line, col, I64, symbol, [e, n])
    if isinstance(value, ir.Const):
        return value
    local = lw.temp(I64)
    setup.append(ir.SetLocal(line, col, local, value))
    return ir.LocalGet(line, col, I64, local)


def _axis_index(lw: ExprLowerer, view: View, node: ast.expr, where: ast.AST) -> ir.Expr:
    """The base index for int ``node`` on ``view``'s first axis, checked (IndexError)."""
    line, col = getattr(where, "lineno", 0), getattr(where, "col_offset", 0)
    index = lw.index(node)
    if view.start is None:
        return ir.CheckedIndex(line, col, I64, view.base, view.depth, index)
    checked = ir.CheckedIndex(line, col, I64, None, 0, index, bound=view.length)
    return strided.position(view, checked)


def access(
    lw: ExprLowerer, view: View, idx_nodes: list[ast.expr]
) -> tuple[list[ir.Expr], list[bool], list[bool]]:
    """A full index of a sliced view, as an access of its base: the first index is
    ``start + k`` with ``k`` checked against the slice's length (no check where a proof
    covers it and the view is stable), the rest as for any view."""
    if view.column is not None:  # m[:, j][i] is m[i, j]
        fixed = [True] * view.depth
        first = lw.index(idx_nodes[0])
        if view.setup:
            first = ir.Seq(first.line, first.col, I64, list(view.setup), first)
        return (
            [*view.prefix, first, view.column],
            fixed + lw.safe_flags(view.as_ref(), idx_nodes) + [True],
            fixed + lw.nonneg_flags(idx_nodes) + [True],
        )
    assert view.start is not None and view.length is not None
    first_node, rest = idx_nodes[0], idx_nodes[1:]
    line, col = getattr(first_node, "lineno", 0), getattr(first_node, "col_offset", 0)
    ref = view.as_ref()
    safe = lw.safe_flags(ref, idx_nodes)
    nonneg = lw.nonneg_flags(idx_nodes)
    k = lw.index(first_node)
    if not (safe[0] and view.stable):
        k = ir.CheckedIndex(line, col, I64, None, 0, k, bound=view.length)
    index = strided.position(view, k)
    if view.setup:
        index = ir.Seq(line, col, I64, list(view.setup), index)
    fixed = [True] * (view.depth + 1)
    return (
        [*view.prefix, index, *(lw.index(i) for i in rest)],
        fixed + safe[1:],
        fixed + nonneg[1:],
    )


def array_arg(lw: ExprLowerer, node: ast.expr, view: View) -> ir.Expr:
    """``view`` passed to a function expecting an array: its first element's address, then
    its extents (a slice's length first)."""
    if view.column is not None:
        raise lw.err(
            node,
            f"`{shown(node)}` is a column, a strided view: it cannot be passed or copied as "
            "an array",
            "loop over its elements (col[i]), or pass the whole array and the column index",
        )
    if view.step is not None:
        raise lw.err(
            node,
            f"`{shown(node)}` is a slice with a step, a strided view: it cannot be passed or "
            "copied as an array",
            "loop over its elements (s[k]), or pass the whole array and the bounds",
        )
    arg: ir.Expr = ir.ArrayArg(
        node.lineno, node.col_offset, view.type, view.base, list(view.prefix),
        view.start, view.length,
    )  # fmt: skip
    if view.setup:
        arg = ir.Seq(node.lineno, node.col_offset, view.type, list(view.setup), arg)
    return arg


def bind(lw: ExprLowerer, name: str, view: View, line: int, col: int) -> tuple[list[ir.Stmt], View]:
    """``s = a[lo:hi]``: the slice's start and length into locals ``s.start`` / ``s.len``
    (after its setup), and the named view reading them."""
    from portalis.lang.frontend.exprs import View

    assert view.start is not None and view.length is not None
    out: list[ir.Stmt] = list(view.setup)
    kept: list[ir.Expr] = []
    parts = [("start", view.start), ("len", view.length)]
    if view.step is not None:
        parts.append(("step", view.step))
    for suffix, value in parts:
        local = f"{name}.{suffix}"
        lw.locals[local] = I64
        out.append(ir.SetLocal(line, col, local, value))
        kept.append(ir.LocalGet(line, col, I64, local))
    step = kept[2] if view.step is not None else None
    return out, View(name, view.base, list(view.prefix), view.type, kept[0], kept[1], step=step)
