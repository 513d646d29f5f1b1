"""What the back end can tell about the sign of a float expression from its shape alone,
so a check that could never fire is not emitted: ``math.sqrt(dx*dx + dy*dy + eps)`` needs no
``x < 0`` test, and dividing by it no ``== 0`` test.

The claims hold for every non-NaN value under IEEE-754 round-to-nearest, and a NaN fails
both tests anyway (``nan < 0`` and ``nan == 0`` are false), so dropping the check never
changes a result or hides an exception:

* NONNEG: never ``< 0`` (``-0.0`` allowed) — ``x * x``, ``abs``, ``sqrt``, sums of those;
* POSITIVE: never ``< 0`` and never ``== 0`` — a positive constant, positive + non-negative
  (rounding is monotonic, so ``a + b >= a > 0``), ``sqrt`` of a positive number (the root
  of the smallest subnormal is still far from zero).

Products and quotients of positives can underflow to zero, so they are only NONNEG.
"""

from __future__ import annotations

from portalis.lang import builtins, ir
from portalis.lang.types import Scalar

NONNEG = 1
POSITIVE = 2


def _same_local(a: ir.Expr, b: ir.Expr) -> bool:
    return isinstance(a, ir.LocalGet) and isinstance(b, ir.LocalGet) and a.name == b.name


def sign(e: ir.Expr) -> int:
    """POSITIVE, NONNEG, or 0 (nothing known) for the float expression ``e`` (0 for any
    other type: integer arithmetic wraps, so ``x * x`` may be negative)."""
    if not (isinstance(e.ty, Scalar) and e.ty.is_float):
        return 0
    if isinstance(e, ir.Const):
        v = float(e.value)
        return POSITIVE if v > 0 else (NONNEG if v == 0 else 0)
    if isinstance(e, ir.Binary):
        if e.op == "mul":
            if _same_local(e.left, e.right):
                return NONNEG
            return NONNEG if min(sign(e.left), sign(e.right)) >= NONNEG else 0
        if e.op == "add":
            a, b = sign(e.left), sign(e.right)
            if min(a, b) < NONNEG:
                return 0
            return max(a, b)
        if e.op == "div":
            return NONNEG if min(sign(e.left), sign(e.right)) >= NONNEG else 0
        return 0
    if isinstance(e, ir.BuiltinCall):
        if e.lowering in ("fabs", "abs", "libm:exp", builtins.INLINED_MATH + "exp"):
            return NONNEG if e.args and e.args[0].ty == e.ty else 0
        if e.lowering == "sqrt":
            return POSITIVE if sign(e.args[0]) == POSITIVE else NONNEG
        return 0
    if isinstance(e, ir.LocalTee):
        return sign(e.value)
    return 0
