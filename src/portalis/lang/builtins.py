"""Every builtin a kernel may call, declared once.

Each :class:`Builtin` names what the kernel writes (``abs``, ``math.sin``), how its argument
and result types are decided, which back-end emitter lowers it, and a one-line doc. The same
table drives type checking (front end), code generation (back end: ``lowering``) and the
builtins table in docs/language.md (:func:`reference_table`). Adding a builtin is one entry
here plus, for a new lowering, one emitter in ``backend/lowerings.py``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from portalis.lang.types import BOOL, F32, F64, I32, I64, Scalar, unify_numeric

#: Decides parameter types (what each argument is converted to) and the result type from the
#: argument types, or returns an error message.
Typer = Callable[[list[Scalar]], "tuple[list[Scalar], Scalar] | str"]


@dataclass(frozen=True)
class Builtin:
    name: str
    signature: str  # for the docs: "(x: float) -> float"
    typer: Typer
    lowering: str
    doc: str
    #: How many arguments it takes; None for any number (``min``/``max``: two or more).
    arity: int | None = 1
    #: For math-library functions: how CPython turns a C result into an exception
    #: (backend/support.py ``math_slow_path``).
    errors: str = ""


def _fixed(params: tuple[Scalar, ...], result: Scalar) -> Typer:
    def typer(args: list[Scalar]) -> tuple[list[Scalar], Scalar] | str:
        if len(args) != len(params):
            return f"takes {len(params)} argument{'s' if len(params) != 1 else ''}, got {len(args)}"
        for a, p in zip(args, params, strict=False):
            if not p.is_float and a.is_float:
                return f"expects {p}, got {a}"
        return list(params), result

    return typer


def _numeric_same(n_min: int, n_max: int | None = None) -> Typer:
    """All arguments unified to one numeric type, which is also the result (abs, min, max)."""

    def typer(args: list[Scalar]) -> tuple[list[Scalar], Scalar] | str:
        if len(args) < n_min or (n_max is not None and len(args) > n_max):
            want = str(n_min) if n_max == n_min else f"at least {n_min}"
            return f"takes {want} argument{'s' if n_min != 1 else ''}, got {len(args)}"
        t = args[0] if not args[0].is_bool else I64
        for a in args[1:]:
            t = unify_numeric(t, a)
        return [t] * len(args), t

    return typer


def _to(result: Scalar) -> Typer:
    """A one-argument conversion accepting any number or bool."""

    def typer(args: list[Scalar]) -> tuple[list[Scalar], Scalar] | str:
        if len(args) != 1:
            return f"takes 1 argument, got {len(args)}"
        return [args[0]], result

    return typer


def _round(args: list[Scalar]) -> tuple[list[Scalar], Scalar] | str:
    if len(args) != 1:
        return "takes exactly 1 argument here (round(x, ndigits) is not supported)"
    if args[0].is_float:
        return [F64], I64
    return [args[0]], I64


FLOAT1 = _fixed((F64,), F64)
FLOAT2 = _fixed((F64, F64), F64)

_BUILTINS: list[Builtin] = [
    Builtin("abs", "(x: int | float) -> same", _numeric_same(1, 1), "abs", "absolute value"),
    Builtin(
        "min",
        "(a, b, …) -> common type",
        _numeric_same(2),
        "min",
        "smallest argument (the first one among equals, as in CPython)",
        arity=None,
    ),
    Builtin(
        "max",
        "(a, b, …) -> common type",
        _numeric_same(2),
        "max",
        "largest argument (the first one among equals, as in CPython)",
        arity=None,
    ),
    Builtin(
        "int",
        "(x) -> int",
        _to(I64),
        "int",
        "truncate toward zero; NaN → ValueError, ±inf or out of int64 → OverflowError",
    ),
    Builtin("float", "(x) -> float", _to(F64), "convert", "convert to float"),
    Builtin("bool", "(x) -> bool", _to(BOOL), "truth", "truth value"),
    Builtin(
        "round",
        "(x: float) -> int",
        _round,
        "round",
        "round half to even, as CPython; NaN → ValueError, ±inf → OverflowError",
    ),
    Builtin("f64", "(x) -> float", _to(F64), "convert", "convert to 64-bit float"),
    Builtin("f32", "(x) -> f32", _to(F32), "convert", "round to 32-bit float"),
    Builtin("i64", "(x) -> int", _to(I64), "int", "convert to 64-bit int (like int)"),
    Builtin("i32", "(x) -> i32", _to(I32), "i32", "convert to 32-bit int, wrapping"),
    Builtin(
        "float_to_bits",
        "(x: float) -> int",
        _fixed((F64,), I64),
        "float_to_bits",
        "IEEE-754 bit pattern of x as a signed 64-bit int",
    ),
    Builtin(
        "fused_multiply_add",
        "(a: float, b: float, c: float) -> float",
        _fixed((F64, F64, F64), F64),
        "fused_multiply_add",
        "a·b + c rounded once: the math library's intrinsic (libm/_bits.py)",
        arity=3,
    ),
    Builtin(
        "bits_to_float",
        "(i: int) -> float",
        _fixed((I64,), F64),
        "bits_to_float",
        "the float whose IEEE-754 bit pattern is i",
    ),
    # -- math: wasm instructions
    Builtin(
        "math.sqrt",
        "(x: float) -> float",
        FLOAT1,
        "sqrt",
        "square root (f64.sqrt); x < 0 → ValueError",
    ),
    Builtin("math.fabs", "(x: float) -> float", FLOAT1, "fabs", "absolute value (f64.abs)"),
    Builtin(
        "math.floor",
        "(x: float) -> int",
        _fixed((F64,), I64),
        "floor",
        "largest int ≤ x (f64.floor); NaN → ValueError, ±inf → OverflowError",
    ),
    Builtin(
        "math.ceil",
        "(x: float) -> int",
        _fixed((F64,), I64),
        "ceil",
        "smallest int ≥ x (f64.ceil); NaN → ValueError, ±inf → OverflowError",
    ),
    Builtin(
        "math.trunc",
        "(x: float) -> int",
        _fixed((F64,), I64),
        "trunc",
        "x truncated toward zero (f64.trunc); NaN → ValueError, ±inf → OverflowError",
    ),
    Builtin(
        "math.copysign",
        "(x: float, y: float) -> float",
        FLOAT2,
        "copysign",
        "x with the sign of y (f64.copysign)",
        arity=2,
    ),
    Builtin("math.isnan", "(x: float) -> bool", _fixed((F64,), BOOL), "isnan", "x is NaN"),
    Builtin("math.isinf", "(x: float) -> bool", _fixed((F64,), BOOL), "isinf", "x is ±inf"),
    Builtin(
        "math.isfinite",
        "(x: float) -> bool",
        _fixed((F64,), BOOL),
        "isfinite",
        "x is neither NaN nor ±inf",
    ),
    Builtin("math.radians", "(x: float) -> float", FLOAT1, "radians", "degrees to radians"),
    Builtin("math.degrees", "(x: float) -> float", FLOAT1, "degrees", "radians to degrees"),
]

#: Math-library functions compiled into the module from ``portalis.lang.libm``, with the
#: CPython error rule applied at the call (see ``backend/lowerings.py``).
_LIBM: list[tuple[str, int, str, str]] = [
    ("sin", 1, "math1", "sine"),
    ("cos", 1, "math1", "cosine"),
    ("tan", 1, "math1", "tangent"),
    ("asin", 1, "math1", "arc sine; |x| > 1 → ValueError"),
    ("acos", 1, "math1", "arc cosine; |x| > 1 → ValueError"),
    ("atan", 1, "math1", "arc tangent"),
    ("atan2", 2, "math2", "arc tangent of y/x, in the right quadrant"),
    ("exp", 1, "math1_overflow", "e**x; overflow → OverflowError"),
    ("expm1", 1, "math1_overflow", "e**x - 1, accurate near 0; overflow → OverflowError"),
    ("log", 1, "math1", "natural logarithm; x ≤ 0 → ValueError"),
    ("log1p", 1, "math1", "log(1 + x), accurate near 0; x ≤ -1 → ValueError"),
    ("log2", 1, "math1", "base-2 logarithm; x ≤ 0 → ValueError"),
    ("log10", 1, "math1", "base-10 logarithm; x ≤ 0 → ValueError"),
    ("pow", 2, "pow", "x**y with C99/CPython special cases; 0**neg → ValueError"),
    ("hypot", 2, "none", "sqrt(x*x + y*y) without undue overflow"),
    ("sinh", 1, "math1_overflow", "hyperbolic sine; overflow → OverflowError"),
    ("cosh", 1, "math1_overflow", "hyperbolic cosine; overflow → OverflowError"),
    ("tanh", 1, "math1", "hyperbolic tangent"),
    ("fmod", 2, "fmod", "C fmod: remainder with the sign of x; y == 0 → ValueError"),
    ("asinh", 1, "math1", "inverse hyperbolic sine"),
    ("acosh", 1, "math1", "inverse hyperbolic cosine; x < 1 → ValueError"),
    ("atanh", 1, "math1", "inverse hyperbolic tangent; |x| ≥ 1 → ValueError"),
    ("cbrt", 1, "math1", "cube root"),
    ("exp2", 1, "math1_overflow", "2**x; overflow → OverflowError"),
    ("erf", 1, "math1", "error function"),
    ("erfc", 1, "math1", "complementary error function 1 - erf(x), accurate for large x"),
]

for _name, _arity, _rule, _doc in _LIBM:
    _BUILTINS.append(
        Builtin(
            f"math.{_name}",
            "(x: float) -> float" if _arity == 1 else "(x: float, y: float) -> float",
            FLOAT1 if _arity == 1 else FLOAT2,
            f"libm:{_name}",
            _doc,
            arity=_arity,
            errors=_rule,
        )
    )

BUILTINS: dict[str, Builtin] = {b.name: b for b in _BUILTINS}

#: The lowering of a ``math.NAME`` call whose library body the inliner put in its place
#: (passes/inline.py): ``INLINED_MATH + NAME``, its arguments the inlined body's value, then
#: the call's arguments (locals or constants), which the back end hands to CPython's
#: exception rule when that value is not finite (backend/lowerings.py).
INLINED_MATH = "libm_inlined:"

#: Constants a kernel may read (``math.pi`` …), folded at compile time.
CONSTANTS: dict[str, float] = {
    "math.pi": math.pi,
    "math.e": math.e,
    "math.tau": math.tau,
    "math.inf": math.inf,
    "math.nan": math.nan,
    "numpy.pi": math.pi,
    "numpy.e": math.e,
    "numpy.inf": math.inf,
    "numpy.nan": math.nan,
}


def lookup(name: str) -> Builtin | None:
    return BUILTINS.get(name)


def reference_table() -> str:
    """The builtins table of docs/language.md, generated from the registry."""
    lines = ["| builtin | signature | meaning |", "|---|---|---|"]
    for b in _BUILTINS:
        lines.append(f"| `{b.name}` | `{b.signature}` | {b.doc} |")
    for name, value in CONSTANTS.items():
        lines.append(f"| `{name}` | constant | `{value!r}` |")
    return "\n".join(lines)
