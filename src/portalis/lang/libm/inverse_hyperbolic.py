"""asinh, acosh and atanh with C semantics (Sun Microsystems fdlibm ``s_asinh.c``,
``e_acosh.c``, ``e_atanh.c``, the versions glibc shipped until 2.40).

All go through log or log1p of an argument arranged to avoid cancellation:
asinh(x) = sign(x)·log1p(|x| + x²/(1 + √(1 + x²))) below 2, log(2|x| + 1/(√(x²+1) + |x|))
below 2**28, log|x| + ln2 beyond; acosh(x) = log1p(t + √(2t + t²)), t = x - 1, below 2,
log(2x - 1/(x + √(x² - 1))) below 2**28, log x + ln2 beyond; atanh(x) = sign(x)·½·log1p(2|x| +
2x²/(1 - |x|)) below ½, ½·log1p(2|x|/(1 - |x|)) above. acosh(x < 1) and atanh(|x| > 1) are
nan, atanh(±1) = ±inf.
"""

from __future__ import annotations

import math

from portalis.lang.libm._ieee import high_word, infinity, low_word, nan
from portalis.lang.libm.log import log, log1p

_LN2: float = 0.6931471805599453  # 0x3FE62E42FEFA39EF


def asinh(x: float) -> float:
    """Inverse hyperbolic sine of x."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x7FF00000:  # inf or nan
        return x + x
    if ix < 0x3E300000:  # |x| < 2**-28: asinh(x) rounds to x
        return x
    ax: float = math.fabs(x)
    w: float = 0.0
    if ix > 0x41B00000:  # |x| > 2**28
        w = log(ax) + _LN2
    elif ix > 0x40000000:  # 2 < |x| <= 2**28
        w = log(2.0 * ax + 1.0 / (math.sqrt(x * x + 1.0) + ax))
    else:  # 2**-28 <= |x| <= 2
        t: float = x * x
        w = log1p(ax + t / (1.0 + math.sqrt(1.0 + t)))
    if hx > 0:
        return w
    return -w


def acosh(x: float) -> float:
    """Inverse hyperbolic cosine of x; nan below 1."""
    hx: int = high_word(x)
    if hx < 0x3FF00000:  # x < 1, or negative, or negative nan
        if x != x:
            return x
        return nan()
    if hx >= 0x41B00000:  # x >= 2**28, inf or nan
        if hx >= 0x7FF00000:
            return x + x
        return log(x) + _LN2
    if hx == 0x3FF00000 and low_word(x) == 0:
        return 0.0  # acosh(1) = +0
    if hx > 0x40000000:  # 2 < x < 2**28
        return log(2.0 * x - 1.0 / (x + math.sqrt(x * x - 1.0)))
    t: float = x - 1.0  # 1 < x <= 2
    return log1p(t + math.sqrt(2.0 * t + t * t))


def atanh(x: float) -> float:
    """Inverse hyperbolic tangent of x; ±inf at ±1, nan beyond."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    ax: float = math.fabs(x)
    if ax >= 1.0 or x != x:
        if x != x:
            return x
        if ax == 1.0:
            return math.copysign(infinity(), x)
        return nan()
    if ix < 0x3E300000:  # |x| < 2**-28: atanh(x) rounds to x
        return x
    t: float = 0.0
    if ix < 0x3FE00000:  # |x| < 0.5
        t = ax + ax
        t = 0.5 * log1p(t + t * ax / (1.0 - ax))
    else:
        t = 0.5 * log1p((ax + ax) / (1.0 - ax))
    if hx >= 0:
        return t
    return -t
