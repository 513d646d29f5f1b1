"""A float rounded to an int and straight back to a float (``box * round(dx / box)``, the
minimum-image step of every periodic-box kernel; ``float(math.floor(x))``) stays a float.

CPython's ``round(x)``, ``math.floor/ceil/trunc(x)`` and ``int(x)`` make an int, and the
float arithmetic around them converts it back exactly (Python ints are unbounded, and the
rounded double is an integer, so converting it back gives that double). Compiled, the int
is an int64: ``i64.trunc_f64_s`` after three checks (NaN, and each end of the int64 range),
then ``f64.convert_i64_s``, two conversions of several cycles each on the path to what the
loop computes next. Here the rounded double is used as it is, after one check that it is
finite (NaN raises ValueError, ±inf OverflowError, as CPython's ``round`` does). Two things
keep CPython's answer exactly: ``+ 0.0`` turns the -0.0 that ``f64.nearest(-0.3)`` gives
into the 0.0 of ``float(0)``; and a finite double beyond int64 is returned as CPython
returns it (its int converts back to itself) where the int64 path raised OverflowError.
"""

from __future__ import annotations

import math

from portalis.lang import ir
from portalis.lang.backend import instructions as I
from portalis.lang.backend.instructions import Code
from portalis.lang.types import Scalar

#: builtin lowering → the WebAssembly rounding that makes its integer
_ROUNDING = {"round": "nearest", "floor": "floor", "ceil": "ceil", "trunc": "trunc"}


def rounding_of(e: ir.Expr) -> tuple[ir.Expr, str] | None:
    """(the float operand, the rounding) when ``e`` rounds a float to an int, else None."""
    if isinstance(e, ir.BuiltinCall) and e.lowering in _ROUNDING and len(e.args) == 1:
        arg = e.args[0]
        if isinstance(arg.ty, Scalar) and arg.ty.name == "float":
            return arg, _ROUNDING[e.lowering]
    if isinstance(e, ir.Cast) and e.kind == "py_int":
        arg = e.value
        if isinstance(arg.ty, Scalar) and arg.ty.name == "float":
            return arg, "trunc"
    return None


def float_of_rounding(code: Code, e: ir.Cast) -> bool:
    """Emit ``e`` (an int → float conversion) without the int when its operand rounds a
    float; False (nothing emitted) otherwise."""
    if e.kind != "convert" or not (isinstance(e.ty, Scalar) and e.ty.name == "float"):
        return False
    if not (isinstance(e.value.ty, Scalar) and e.value.ty.name == "int"):
        return False
    found = rounding_of(e.value)
    if found is None:
        return False
    operand, rounding = found
    line = code.line(e.value)
    x = code.fresh("f64")
    code.expr(operand)
    code.emit(I.numeric("f64", rounding), I.local_tee(x), I.f64_abs())
    code.emit(I.f64_const(math.inf), I.f64_lt(), I.i32_eqz())
    code.emit(I.if_())
    code.emit(I.local_get(x), I.local_get(x), I.f64_ne())
    code.raise_if("ValueError", line)
    code.raise_("OverflowError", line)
    code.emit(I.end())
    code.emit(I.local_get(x), I.f64_const(0.0), I.f64_add())
    return True
