"""``complex`` in kernels: a record of two floats whose arithmetic is CPython's, step by step.

The records lowering (frontend/records.py) compiles this class in place of the builtin
``complex`` when a kernel uses complex numbers: ``1j``, ``complex(x, y)``, ``z.real``,
``z.conjugate()``, ``+ - * /``, ``abs(z)``, ``==``/``!=`` and ``cmath.exp``. Each operation
repeats the C code of CPython 3.10–3.12 (Objects/complexobject.c, Modules/cmathmodule.c)
operation for operation in IEEE double arithmetic, so the bits are CPython's: ``abs`` runs
glibc's ``hypot`` algorithm (as built without fused multiply-add, x86-64's default), and
``cmath.exp`` is CPython's as far as the module's ``exp``/``cos``/``sin`` are glibc's
(docs/language.md). A number meeting a complex is first made ``complex(x, 0.0)``,
as CPython does before 3.14.

It is ordinary Python too: under CPython, ``Complex`` agrees with the builtin ``complex``
(tests/lang/test_records.py runs both on the same inputs).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

#: log(DBL_MAX / 4): above it, cmath.exp scales by e to avoid a spurious overflow.
LOG_LARGE_DOUBLE = 708.3964185322641

#: cmath.exp of non-finite inputs, by the class of the real part (row) and of the imaginary
#: part (column): -inf, negative, -0.0, +0.0, positive, +inf, nan. The records lowering
#: fills these three tables from the CPython that compiles the kernel (``EXP_RAISES``: 1
#: where it raises ValueError); the values here are only what CPython 3.11 gives.
EXP_SPECIAL_REAL = (0.0,) * 49
EXP_SPECIAL_IMAG = (0.0,) * 49
EXP_RAISES = (0,) * 49


@dataclass
class Complex:
    real: float
    imag: float = 0.0

    def __add__(self, o: Complex) -> Complex:
        return Complex(self.real + o.real, self.imag + o.imag)

    def __sub__(self, o: Complex) -> Complex:
        return Complex(self.real - o.real, self.imag - o.imag)

    def __mul__(self, o: Complex) -> Complex:
        return Complex(
            self.real * o.real - self.imag * o.imag, self.real * o.imag + self.imag * o.real
        )

    def __truediv__(self, o: Complex) -> Complex:
        # Smith's algorithm, with CPython's branches: divide through by the larger part of
        # the divisor. Neither denominator can be zero here (so no ZeroDivisionError from
        # the float division itself); NaN parts fall through to the last case.
        abs_real = -o.real if o.real < 0.0 else o.real
        abs_imag = -o.imag if o.imag < 0.0 else o.imag
        if abs_real >= abs_imag:
            if abs_real == 0.0:
                raise ZeroDivisionError("complex division by zero")
            ratio = o.imag / o.real
            denom = o.real + o.imag * ratio
            return Complex(
                (self.real + self.imag * ratio) / denom, (self.imag - self.real * ratio) / denom
            )
        if abs_imag >= abs_real:
            ratio = o.real / o.imag
            denom = o.real * ratio + o.imag
            return Complex(
                (self.real * ratio + self.imag) / denom, (self.imag * ratio - self.real) / denom
            )
        return Complex(math.nan, math.nan)

    def __neg__(self) -> Complex:
        return Complex(-self.real, -self.imag)

    def __pos__(self) -> Complex:
        return Complex(self.real, self.imag)

    def __abs__(self) -> float:
        if math.isinf(self.real):
            return math.fabs(self.real)  # C99: infinite even when the other part is NaN
        if math.isinf(self.imag):
            return math.fabs(self.imag)
        if math.isnan(self.real) or math.isnan(self.imag):
            return math.nan
        r = _c_hypot(self.real, self.imag)
        if math.isinf(r):
            raise OverflowError("absolute value too large")
        return r

    def __eq__(self, o: Complex) -> bool:  # type: ignore[override]
        return self.real == o.real and self.imag == o.imag

    def __ne__(self, o: Complex) -> bool:  # type: ignore[override]
        return not (self.real == o.real and self.imag == o.imag)

    def conjugate(self) -> Complex:
        return Complex(self.real, -self.imag)


#: glibc's hypot: scale by 2**-600 above 2**511 and below 2**-459; a part 2**54 times
#: smaller than the other only rounds the sum.
HYPOT_SCALE = 2.0**-600
HYPOT_LARGE = 2.0**511
HYPOT_TINY = 2.0**-459
HYPOT_EPS = 2.0**-54


def _hypot_kernel(ax: float, ay: float) -> float:
    """sqrt(ax*ax + ay*ay) for ax >= ay, corrected by one Newton step on the exact error
    (Borges' algorithm, the form glibc compiles without fused multiply-add)."""
    h = math.sqrt(ax * ax + ay * ay)
    if h <= 2.0 * ay:
        delta = h - ay
        t1 = ax * (2.0 * delta - ax)
        t2 = (delta - 2.0 * (ax - ay)) * delta
    else:
        delta = h - ax
        t1 = 2.0 * delta * (ax - 2.0 * ay)
        t2 = (4.0 * delta - ay) * ay + delta * delta
    return h - (t1 + t2) / (2.0 * h)


def _c_hypot(x: float, y: float) -> float:
    """C's hypot, which CPython's abs(complex) calls (math.hypot is another algorithm)."""
    ax = math.fabs(x)
    ay = math.fabs(y)
    if ax < ay:
        ax, ay = ay, ax
    if ax > HYPOT_LARGE:
        if ay <= ax * HYPOT_EPS:
            return ax + ay
        return _hypot_kernel(ax * HYPOT_SCALE, ay * HYPOT_SCALE) / HYPOT_SCALE
    if ay < HYPOT_TINY:
        if ax >= ay / HYPOT_EPS:
            return ax + ay
        return _hypot_kernel(ax / HYPOT_SCALE, ay / HYPOT_SCALE) * HYPOT_SCALE
    if ay <= ax * HYPOT_EPS:
        return ax + ay
    return _hypot_kernel(ax, ay)


def _special_class(x: float) -> int:
    """The row/column of ``x`` in the special-value tables."""
    if math.isnan(x):
        return 6
    if math.isinf(x):
        return 0 if x < 0.0 else 5
    if x == 0.0:
        return 2 if math.copysign(1.0, x) < 0.0 else 3
    return 1 if x < 0.0 else 4


def _cmath_exp(z: Complex) -> Complex:
    if not (math.isfinite(z.real) and math.isfinite(z.imag)):
        if math.isinf(z.real) and math.isfinite(z.imag) and z.imag != 0.0:
            if z.real > 0.0:
                return Complex(
                    math.copysign(math.inf, math.cos(z.imag)),
                    math.copysign(math.inf, math.sin(z.imag)),
                )
            return Complex(
                math.copysign(0.0, math.cos(z.imag)), math.copysign(0.0, math.sin(z.imag))
            )
        k = _special_class(z.real) * 7 + _special_class(z.imag)
        if EXP_RAISES[k] != 0:
            raise ValueError("math domain error")
        return Complex(EXP_SPECIAL_REAL[k], EXP_SPECIAL_IMAG[k])
    if z.real > LOG_LARGE_DOUBLE:
        scale = math.exp(z.real - 1.0)
        real = scale * math.cos(z.imag) * math.e
        imag = scale * math.sin(z.imag) * math.e
    else:
        scale = math.exp(z.real)
        real = scale * math.cos(z.imag)
        imag = scale * math.sin(z.imag)
    if math.isinf(real) or math.isinf(imag):
        raise OverflowError("math range error")
    return Complex(real, imag)
