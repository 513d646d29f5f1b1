"""Storing an int into a narrow integer array (``u8``, ``i32``) the way CPython and NumPy do.

NumPy 2 raises OverflowError for an int out of the element's range ("Python integer 300
out of bounds for uint8") — always for a signed element (``i32``: it converts NumPy
integers through a Python int too), but for an unsigned one (``u8``) only when the value
is a *Python* int (``a[i] = 300``): a *NumPy* integer (``a[i] = b[j]``, or any arithmetic on
an array element) wraps. A compiled kernel has only 64-bit ints, so for ``u8`` the compiler
decides from the source which one a stored value would be under CPython
(frontend/provenance.py, which division by zero on floats asks too).

When in doubt the value counts as NumPy's (the store wraps, as it did before): the only
mismatch left is a Python int that reaches the store through a local that is also, on
another path, given a NumPy value — there CPython raises and the kernel wraps.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.messages import out_of_bounds
from portalis.lang.frontend.provenance import is_numpy
from portalis.lang.types import BOOL, I32, I64, Element

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

#: Element → (smallest, largest) value, NumPy's dtype name.
NARROW = {"u8": (0, 255, "uint8"), "i32": (-(1 << 31), (1 << 31) - 1, "int32")}
assert NARROW["u8"][:2] == (0, 0xFF)  # the u8 check masks with the largest value
#: Elements NumPy wraps a NumPy integer into (it raises for a signed one, as for Python ints:
#: NumPy 2 converts a NumPy integer for a signed array through a Python int).
WRAPS_NUMPY_INTS = {"u8"}


def checked(
    lw: ExprLowerer, value: ir.Expr, element: Element, source: ast.expr | None, node: ast.AST
) -> ir.Expr:
    """``value`` to be stored into an array of ``element``: with NumPy's OverflowError
    check when it is a Python int out of the element's range."""
    bounds = NARROW.get(element.abi)
    if bounds is None or value.ty != I64 or source is None:
        return value
    if element.abi in WRAPS_NUMPY_INTS and is_numpy(lw, source):
        return value  # NumPy wraps its own integers into unsigned arrays
    low, high, dtype = bounds
    if isinstance(value, ir.Const) and type(value.value) is int and low <= value.value <= high:
        return value  # a constant in range (``fate[i] = KEPT``): nothing to check
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    tmp = lw.temp(I64)
    at = ir.LocalGet(line, col, I64, tmp)
    # Outside the range exactly when the value differs from itself narrowed: one compare
    # and a sign extension (``movslq``) or a mask, where ``x < low or x > high`` took two
    # compares and two branches, on a store that runs per element (``voxel_of[i] = v``)
    if element.abi == "i32":
        narrowed: ir.Expr = ir.Cast(
            line, col, I64, "convert", ir.Cast(line, col, I32, "convert", at)
        )
    else:
        narrowed = ir.Binary(line, col, I64, "and", at, ir.Const(line, col, I64, high))
    outside = ir.Compare(line, col, BOOL, "ne", narrowed, at)
    fail = out_of_bounds(lw, tmp, dtype, node)
    stmts: list[ir.Stmt] = [ir.SetLocal(line, col, tmp, value), ir.If(line, col, outside, fail, [])]
    return ir.Seq(line, col, I64, stmts, at)


__all__ = ["NARROW", "WRAPS_NUMPY_INTS", "checked"]
