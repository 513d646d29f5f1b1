"""sinh, cosh and tanh with C semantics (musl ``sinh.c``, ``cosh.c``, ``tanh.c``, which
rework FreeBSD msun's fdlibm versions around expm1).

Near 0 they go through expm1 so that e**x - 1 keeps its low bits; for large |x| through
exp(x - k·ln2)·2**(k-1) (``_expo2``), which stays finite until the true result overflows.
"""

from __future__ import annotations

import math

from portalis.lang.libm._ieee import from_words, high_word
from portalis.lang.libm.exp import exp, expm1

_EXPO2_K: int = 2043  # k·ln2 has tiny relative error, and x - k·ln2 > log(DBL_MIN)
_EXPO2_KLN2: float = 1416.0996898839683  # 0x40962066151ADD8B: 2043·ln2 rounded


def _expo2(x: float, sign: float) -> float:
    """sign·exp(x)/2 for x >= log(DBL_MAX), without overflowing before the end."""
    scale: float = from_words((0x3FF + _EXPO2_K // 2) << 20, 0)  # 2**1021; scale² overflows
    return exp(x - _EXPO2_KLN2) * (sign * scale) * scale


def sinh(x: float) -> float:
    """Hyperbolic sine of x; ±inf on overflow."""
    hx: int = high_word(x)
    h: float = 0.5
    if hx < 0:
        h = -0.5
    absx: float = math.fabs(x)
    w: int = hx & 0x7FFFFFFF
    if w < 0x40862E42:  # |x| < log(DBL_MAX)
        t: float = expm1(absx)
        if w < 0x3FF00000:
            if w < 0x3FF00000 - (26 << 20):  # |x| < 2**-26: sinh(x) rounds to x
                return x
            return h * (2.0 * t - t * t / (t + 1.0))
        return h * (t + t / (t + 1.0))
    return _expo2(absx, 2.0 * h)  # |x| >= log(DBL_MAX), or nan


def cosh(x: float) -> float:
    """Hyperbolic cosine of x; +inf on overflow."""
    x = math.fabs(x)
    w: int = high_word(x)
    t: float = 0.0
    if w < 0x3FE62E42:  # |x| < log(2)
        if w < 0x3FF00000 - (26 << 20):  # cosh(x) rounds to 1
            return 1.0
        t = expm1(x)
        return 1.0 + t * t / (2.0 * (1.0 + t))
    if w < 0x40862E42:  # |x| < log(DBL_MAX)
        t = exp(x)
        return 0.5 * (t + 1.0 / t)
    return _expo2(x, 1.0)  # |x| >= log(DBL_MAX), or nan


def tanh(x: float) -> float:
    """Hyperbolic tangent of x."""
    hx: int = high_word(x)
    ax: float = math.fabs(x)
    w: int = hx & 0x7FFFFFFF
    t: float = 0.0
    if w > 0x3FE193EA:  # |x| > log(3)/2 ~= 0.5493, or nan
        if w > 0x40340000:  # |x| > 20, or nan
            if x != x:
                return x
            t = 1.0
        else:
            t = expm1(2.0 * ax)
            t = 1.0 - 2.0 / (t + 2.0)
    elif w > 0x3FD058AE:  # |x| > log(5/3)/2 ~= 0.2554
        t = expm1(2.0 * ax)
        t = t / (t + 2.0)
    elif w >= 0x00100000:  # |x| >= 2**-1022
        t = expm1(-2.0 * ax)
        t = -t / (t + 2.0)
    else:  # |x| is subnormal: tanh(x) rounds to x
        return x
    if hx < 0:
        return -t
    return t
