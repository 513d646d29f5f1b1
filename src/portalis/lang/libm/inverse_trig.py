"""asin, acos, atan and atan2 with C semantics, correctly rounded in all but ~1 case in 10**5.

All four reduce to the double-double arc tangent of a ratio of ``_atan_dd`` (table-driven,
~2**-70; the ratio is never divided out): asin x = atan(x/√(1 - x²)), acos x =
atan(√(1 - x²)/x) (π minus it for x < 0), atan2 from |y|/|x| and its quadrant. 1 - x² is
formed exactly (Dekker's square), so nothing is lost near |x| = 1. glibc (CPython's
``math`` on Linux) rounds these correctly on ~99.9% of inputs, so the results are
bit-identical to it there; fdlibm's single-double formulas used before missed 3-11%. Domain
errors return nan (|x| > 1 for asin/acos); the special cases (signed zeros, infinities)
follow C99 Annex F as fdlibm's ``e_atan2.c`` does.
"""

from __future__ import annotations

import math

from portalis.lang.libm._atan_dd import atan_ratio
from portalis.lang.libm._dd import square_error, sum_error
from portalis.lang.libm._ieee import high_word, low_word, nan

_PIO2_HI: float = 1.5707963267948966  # 0x3FF921FB54442D18
_PIO2_LO: float = 6.123233995736766e-17  # 0x3C91A62633145C07
_PI: float = 3.141592653589793  # 0x400921FB54442D18
_PI_LO: float = 1.2246467991473532e-16  # 0x3CA1A62633145C07

_ATAN_HUGE: float = 1.5707963267948966  # atan(x) for |x| >= 2**66 rounds to π/2 (+ tiny)


def asin(x: float) -> float:
    """Arc sine of x in [-π/2, π/2]; nan outside [-1, 1]."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x3FF00000:  # |x| >= 1 or nan
        if ((ix - 0x3FF00000) | low_word(x)) == 0:
            return x * _PIO2_HI + 7.52316384526264e-37  # ±π/2, rounded as fdlibm does
        return nan()  # |x| > 1 or x is nan: domain error
    if ix < 0x3E500000:  # |x| < 2**-26: asin(x) rounds to x
        return x
    # asin x = atan(x / √(1 - x²)), every step in double-double
    ax: float = math.fabs(x)
    sh, sl = _sqrt_one_minus_square(ax)
    h, lo = atan_ratio(ax, 0.0, sh, sl)
    if hx < 0:
        return -(h + lo)
    return h + lo


def _sqrt_one_minus_square(a: float) -> tuple[float, float]:
    """√(1 - a²) as a double-double, for 2**-60 < a < 1 (1 - a² itself is formed exactly)."""
    p: float = a * a
    wh: float = 1.0 - p
    wl: float = sum_error(1.0, -p, wh) - square_error(a, p)
    sh: float = math.sqrt(wh)
    q: float = sh * sh
    return (sh, (((wh - q) - square_error(sh, q)) + wl) / (2.0 * sh))


def acos(x: float) -> float:
    """Arc cosine of x in [0, π]; nan outside [-1, 1]."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x3FF00000:  # |x| >= 1 or nan
        if ((ix - 0x3FF00000) | low_word(x)) == 0:
            if hx < 0:
                return 2.0 * _PIO2_HI + 7.52316384526264e-37
            return 0.0
        return nan()  # |x| > 1 or x is nan: domain error
    if ix <= 0x3C600000:  # |x| < 2**-57
        return _PIO2_HI + 7.52316384526264e-37
    # acos x = atan(√(1 - x²)/x) for x > 0, π - atan(√(1 - x²)/|x|) for x < 0, in double-double
    ax: float = math.fabs(x)
    sh, sl = _sqrt_one_minus_square(ax)
    h, lo = atan_ratio(sh, sl, ax, 0.0)
    if hx >= 0:
        return h + lo
    r: float = _PI - h
    return r + (sum_error(_PI, -h, r) + (_PI_LO - lo))


def atan(x: float) -> float:
    """Arc tangent of x in [-π/2, π/2]."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x44100000:  # |x| >= 2**66 or nan
        if x != x:
            return x
        if hx < 0:
            return -(_ATAN_HUGE + 7.52316384526264e-37)
        return _ATAN_HUGE + 7.52316384526264e-37
    if ix < 0x3E400000:  # |x| < 2**-27: atan(x) rounds to x
        return x
    h, lo = atan_ratio(math.fabs(x), 0.0, 1.0, 0.0)
    if hx < 0:
        return -(h + lo)
    return h + lo


def atan2(y: float, x: float) -> float:
    """Angle of the point (x, y) in [-π, π], with C99's signed-zero and infinity rules."""
    if x != x or y != y:
        return x + y
    hx: int = high_word(x)
    lx: int = low_word(x)
    hy: int = high_word(y)
    ly: int = low_word(y)
    if hx == 0x3FF00000 and lx == 0:  # x = 1.0
        return atan(y)
    m: int = 0  # 2·sign(x) + sign(y)
    if hy < 0:
        m = 1
    if hx < 0:
        m = m + 2
    ix: int = hx & 0x7FFFFFFF
    iy: int = hy & 0x7FFFFFFF
    if (iy | ly) == 0:  # y = ±0
        if m < 2:
            return y  # atan(±0, +anything) = ±0
        if m == 2:
            return _PI  # atan(+0, -anything) = π
        return -_PI  # atan(-0, -anything) = -π
    if (ix | lx) == 0:  # x = ±0
        if (m & 1) == 1:
            return -_PIO2_HI
        return _PIO2_HI
    if ix == 0x7FF00000:  # x = ±inf
        if iy == 0x7FF00000:
            if m == 0:
                return 0.5 * _PIO2_HI
            if m == 1:
                return -0.5 * _PIO2_HI
            if m == 2:
                return 1.5 * _PIO2_HI
            return -1.5 * _PIO2_HI
        if m == 0:
            return 0.0
        if m == 1:
            return -0.0
        if m == 2:
            return _PI
        return -_PI
    if ix + (64 << 20) < iy or iy == 0x7FF00000:  # |y/x| > 2**64
        if (m & 1) == 1:
            return -_PIO2_HI
        return _PIO2_HI
    if m >= 2 and iy + (64 << 20) < ix:  # |y/x| < 2**-64 and x < 0: ±π
        if m == 2:
            return _PI - (0.0 - _PI_LO)
        return (0.0 - _PI_LO) - _PI
    ay: float = math.fabs(y)
    ax: float = math.fabs(x)
    if m < 2 and iy + (36 << 20) < ix:  # |y/x| < 2**-35, x > 0: atan(y/x) rounds as y/x does
        if m == 1:
            return -(ay / ax)
        return ay / ax
    # Scale both by a power of two (exact: the smaller stays >= 2**-64 times the larger) so the
    # double-double arithmetic on them neither overflows nor underflows.
    if ix > 0x5F300000 or iy > 0x5F300000:  # the larger is above 2**500
        ay = ay * 2.409919865102884e-181  # 2**-600
        ax = ax * 2.409919865102884e-181
    elif ix < 0x20B00000 and iy < 0x20B00000:  # both below 2**-500
        ay = ay * 4.149515568880993e180  # 2**600
        ax = ax * 4.149515568880993e180
    h, lo = atan_ratio(ay, 0.0, ax, 0.0)
    if m == 0:
        return h + lo
    if m == 1:
        return -(h + lo)
    r: float = _PI - h  # π - atan|y/x| as a double-double
    lo = sum_error(_PI, -h, r) + (_PI_LO - lo)
    if m == 2:
        return r + lo
    return -(r + lo)
