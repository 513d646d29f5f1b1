"""Float division and power on NumPy values: NumPy's IEEE results where CPython gives them.

Under CPython a Python float raises ZeroDivisionError for ``x / 0.0``, ``x // 0.0`` and
``x % 0.0`` and OverflowError (or ZeroDivisionError, or a complex number) for ``x ** y``
out of range, but a NumPy float64 — an array element, and arithmetic on one, whichever side
of the operator the Python number is on — follows IEEE 754 with a RuntimeWarning:

* ``x / 0.0`` is ±inf (the sign is the product of the signs, so ``-0.0`` counts), nan for
  ``0/0`` and ``nan/0``;
* ``x // 0.0`` is ``x / 0.0``; ``x % 0.0`` is nan; for a non-zero divisor both equal
  Python's (the same fmod-based algorithm, signs and ±0 included);
* ``x ** y`` is the C library's ``pow``: inf on overflow, ±inf for ``0.0 ** -1``, nan for a
  negative base to a non-integer power.

The compiler gives a float operation NumPy's rule when either operand may be a NumPy value
under CPython (frontend/provenance.py decides from the source, as for narrow stores), and
Python's otherwise. An int ``/`` with a NumPy operand is a float64 division in NumPy too, so
it takes NumPy's rule; int ``//`` and ``%`` keep raising (NumPy gives 0 there, see
docs/language.md). NumPy's division needs no zero test, so it is also the faster one.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from portalis.lang import ir
from portalis.lang.frontend.fixed_powers import fixed_power
from portalis.lang.frontend.provenance import is_numpy
from portalis.lang.types import BOOL, F64, I64, Scalar

if TYPE_CHECKING:
    from portalis.lang.frontend.exprs import ExprLowerer


def _operands(node: ast.AST) -> tuple[ast.AST, ast.AST] | None:
    """The source operands of a binary operator or an augmented assignment."""
    if isinstance(node, ast.BinOp):
        return node.left, node.right
    if isinstance(node, ast.AugAssign):
        return node.target, node.value
    return None


def on_numpy_values(lw: ExprLowerer, node: ast.AST) -> bool:
    """Whether the operator at ``node`` has an operand that would be a NumPy scalar under
    CPython (then NumPy's float rule applies to it)."""
    if lw.unit.prefix:  # library code (libm, prelude) keeps its own, Python, semantics
        return False
    operands = _operands(node)
    return operands is not None and any(is_numpy(lw, o) for o in operands)


def division(lw: ExprLowerer, e: ir.Binary, node: ast.AST) -> ir.Binary:
    """A float ``/``, ``//`` or ``%``, marked for NumPy's zero-divisor results where an
    operand is a NumPy value."""
    if isinstance(e.ty, Scalar) and e.ty.is_float and on_numpy_values(lw, node):
        e.numpy = True
    return e


def power(
    lw: ExprLowerer, base: ir.Expr, exponent: ir.Expr, twice_y: int | None, node: ast.AST
) -> ir.Expr:
    """NumPy's ``base ** exponent`` for floats (both already F64): CPython's exact fast
    paths where they apply — they give the C library's pow bits, which is NumPy's answer —
    else the C library's pow itself, never raising (prelude/numpy_pow.py and
    numpy_power.py). ``twice_y``: 2·y for a constant (half-)integer exponent y."""
    line, col = getattr(node, "lineno", 0), getattr(node, "col_offset", 0)
    if isinstance(exponent, ir.Const) and float(exponent.value) == 2.0:
        # CPython's exact x ** 2 (prelude/square.py) raises only when x² overflows: below
        # |x| = 1e150 it is NumPy's answer too; above, the C library's pow gives inf.
        x = lw.temp(F64)
        at = ir.LocalGet(line, col, F64, x)
        small = ir.Compare(
            line,
            col,
            BOOL,
            "lt",
            ir.BuiltinCall(line, col, F64, "fabs", [at]),
            ir.Const(line, col, F64, 1e150),
        )
        square = ir.Call(line, col, F64, lw.program.use_prelude("square", lw.d, node), [at])
        c_pow = lw.program.use_prelude("numpy_pow", lw.d, node)
        large = ir.Call(line, col, F64, c_pow, [at, ir.Const(line, col, F64, 2.0)])
        chosen = ir.IfExp(line, col, F64, small, square, large)
        return ir.Seq(line, col, F64, [ir.SetLocal(line, col, x, base)], chosen)
    fixed = fixed_power(lw, base, twice_y, node, numpy=True)  # x ** 3, x ** -1.5
    if fixed is not None:
        return fixed
    if twice_y is not None:
        symbol = lw.program.use_prelude("numpy_power", lw.d, node)
        return ir.Call(line, col, F64, symbol, [base, ir.Const(line, col, I64, twice_y)])
    symbol = lw.program.use_prelude("numpy_pow", lw.d, node)
    return ir.Call(line, col, F64, symbol, [base, exponent])


__all__ = ["division", "on_numpy_values", "power"]
