"""Assigning to a whole view: ``a[lo:hi] = 0.0``, ``m[i] = v``, ``a[:] = b``,
``new[:, :] = u``, ``m[k] = m[p]`` (frontend side; backend/views.py emits them).

NumPy's rules for the two forms a kernel writes: a number is stored into every element
(converted as an element store converts it); an array of the same element type, rank and
shape is copied in (overlapping views copy as if through a temporary, as NumPy does).
NumPy's broadcasting of other shapes is not done: different extents raise ValueError at
run time (NumPy would broadcast an extent of 1 — documented), a different rank or element
type is a compile error. Columns and stepped slices (strided) are filled or copied element
by element by frontend/slice_exprs.py before these are reached.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend import slices
from portalis.lang.frontend.diagnostics import shown

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import View
    from portalis.lang.frontend.stmts import FunctionLowerer


def _target(lw: FunctionLowerer, target: ast.Subscript, view: View) -> ir.Expr:
    if view.column is not None:
        raise lw.err(
            target,
            f"assigning to a column (`{shown(target)} = ...`, a strided view) is not supported",
            "loop over its elements: for i in range(m.shape[0]): m[i, j] = ...",
        )
    return slices.array_arg(lw, target, view)


def fill(lw: FunctionLowerer, target: ast.Subscript, view: View, value: ir.Expr) -> list[ir.Stmt]:
    """``view = number``: every element set to it."""
    element = view.type.element.value
    v = lw.coerce(value, element, target, "stored value", narrowing=True)
    return [ir.FillView(target.lineno, target.col_offset, view.base, _target(lw, target, view), v)]


def copy(
    lw: FunctionLowerer, target: ast.Subscript, view: View, value_node: ast.expr, source: View
) -> list[ir.Stmt]:
    """``view = other_view``: the same shape copied in (ValueError if the extents differ)."""
    if source.type != view.type:
        raise lw.err(
            value_node,
            f"`{shown(target)} = {shown(value_node)}` copies {source.type} into "
            f"{view.type}: only arrays of the same element type and dimensions are copied",
            "copy element by element in a loop (NumPy's broadcasting and casting are not done)",
        )
    src = slices.array_arg(lw, value_node, source)  # Python evaluates the value first
    dst = _target(lw, target, view)
    return [ir.CopyView(target.lineno, target.col_offset, view.base, dst, src)]
