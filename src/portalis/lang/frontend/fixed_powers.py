"""The constant exponents with a written-out fast path (``x ** 3``: prelude/cube.py,
``x ** -1.5``: prelude/inverse_three_halves.py), and their call with the operation's
semantics as a constant: CPython's (raising as ``float ** float`` does) or NumPy's for NumPy
values (never raising; frontend/numpy_floats.py)."""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.types import BOOL, F64

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer

#: 2·y → the prelude function computing ``x ** y`` for that one exponent
FIXED_POWERS = {6: "cube", -3: "inverse_three_halves"}


def fixed_power(
    lw: ExprLowerer, base: ir.Expr, twice_y: int | None, node: ast.AST, numpy: bool
) -> ir.Expr | None:
    """``base ** (twice_y / 2)`` (``base`` already F64) through its written-out fast path,
    or None when the exponent has none (or in library code, which takes pow itself)."""
    if twice_y not in FIXED_POWERS or lw.unit.prefix:
        return None
    name = FIXED_POWERS[twice_y]
    symbol = lw.program.use_prelude(name, lw.d, node)
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    return ir.Call(line, col, F64, symbol, [base, ir.Const(line, col, BOOL, numpy)])
