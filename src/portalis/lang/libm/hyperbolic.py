"""sinh, cosh and tanh with C semantics (Sun Microsystems fdlibm ``e_sinh.c``, ``e_cosh.c``,
``s_tanh.c`` — the versions glibc still ships, so CPython on Linux rounds the same way).

Near 0 they go through expm1, so that e**|x| - 1 keeps its low bits:
sinh(x) = ±(E + E/(E + 1))/2 and tanh(x) = ±E'/(E' + 2) with E = expm1(|x|), E' = expm1(∓2|x|);
cosh(x) = 1 + E²/(2(1 + E)) below ln2/2. Further out they use exp, and between
log(DBL_MAX) and the overflow threshold exp(|x|/2)² halves, so the result stays finite as
long as the true one does.
"""

from __future__ import annotations

import math

from portalis.lang.libm._ieee import high_word, infinity, low_word
from portalis.lang.libm.exp import exp, expm1


def _beyond_overflow(ix: int, x: float) -> bool:
    """|x| above 710.4758600739439 (0x408633CE8FB9F87D), where sinh and cosh overflow."""
    return ix > 0x408633CE or (ix == 0x408633CE and low_word(x) > 0x8FB9F87D)


def sinh(x: float) -> float:
    """Hyperbolic sine of x; ±inf on overflow."""
    jx: int = high_word(x)
    ix: int = jx & 0x7FFFFFFF
    if ix >= 0x7FF00000:  # inf or nan
        return x + x
    h: float = 0.5
    if jx < 0:
        h = -0.5
    ax: float = math.fabs(x)
    t: float = 0.0
    if ix < 0x40360000:  # |x| < 22: sign(x)·(E + E/(E + 1))/2, E = expm1(|x|)
        if ix < 0x3E300000:  # |x| < 2**-28: sinh(x) rounds to x
            return x
        t = expm1(ax)
        if ix < 0x3FF00000:
            return h * (2.0 * t - t * t / (t + 1.0))
        return h * (t + t / (t + 1.0))
    if ix < 0x40862E42:  # |x| in [22, log(DBL_MAX)]: sign(x)·exp(|x|)/2
        return h * exp(ax)
    if _beyond_overflow(ix, x):
        return math.copysign(infinity(), x)
    w: float = exp(0.5 * ax)  # |x| in [log(DBL_MAX), overflow threshold]
    t = h * w
    return t * w


def cosh(x: float) -> float:
    """Hyperbolic cosine of x; +inf on overflow."""
    ix: int = high_word(x) & 0x7FFFFFFF
    if ix >= 0x7FF00000:  # inf or nan
        return x * x
    ax: float = math.fabs(x)
    t: float = 0.0
    if ix < 0x3FD62E43:  # |x| < ln2/2: 1 + E²/(2·(1 + E)), E = expm1(|x|)
        t = expm1(ax)
        w: float = 1.0 + t
        if ix < 0x3C800000:  # cosh(tiny) = 1
            return w
        return 1.0 + (t * t) / (w + w)
    if ix < 0x40360000:  # |x| in [ln2/2, 22]: (exp(|x|) + 1/exp(|x|))/2
        t = exp(ax)
        return 0.5 * t + 0.5 / t
    if ix < 0x40862E42:  # |x| in [22, log(DBL_MAX)]: exp(|x|)/2
        return 0.5 * exp(ax)
    if _beyond_overflow(ix, x):
        return infinity()
    w2: float = exp(0.5 * ax)  # |x| in [log(DBL_MAX), overflow threshold]
    t = 0.5 * w2
    return t * w2


def tanh(x: float) -> float:
    """Hyperbolic tangent of x."""
    jx: int = high_word(x)
    ix: int = jx & 0x7FFFFFFF
    if ix >= 0x7FF00000:  # tanh(±inf) = ±1, tanh(nan) = nan
        if x != x:
            return x
        if jx >= 0:
            return 1.0
        return -1.0
    z: float = 0.0
    if ix < 0x40360000:  # |x| < 22
        if x == 0.0:
            return x  # keeps the sign of zero
        if ix < 0x3C800000:  # |x| < 2**-55: tanh(x) rounds to x
            return x * (1.0 + x)
        t: float = 0.0
        if ix >= 0x3FF00000:  # |x| >= 1
            t = expm1(2.0 * math.fabs(x))
            z = 1.0 - 2.0 / (t + 2.0)
        else:
            t = expm1(-2.0 * math.fabs(x))
            z = -t / (t + 2.0)
    else:  # |x| >= 22: tanh(x) rounds to ±1
        z = 1.0
    if jx >= 0:
        return z
    return -z
