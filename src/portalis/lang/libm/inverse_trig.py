"""asin, acos, atan and atan2 with C semantics (FreeBSD msun ``e_asin.c``, ``e_acos.c``,
``s_atan.c``, ``e_atan2.c``; Sun Microsystems fdlibm, as carried into musl).

asin and acos share the rational approximation R(z) of (asin(√z) - √z)/√z^3; near |x| = 1
they work on √((1 - |x|)/2), split into head and tail so the subtraction from π/2 stays exact.
atan reduces |x| to one of five intervals around 0, 0.5, 1, 1.5 and ∞ with exact breakpoint
values atan(b) = hi + lo. Domain errors return nan (|x| > 1 for asin/acos).
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

import math

from portalis.lang.libm._ieee import clear_low_word, high_word, low_word, nan

_PIO2_HI: float = 1.5707963267948966  # 0x3FF921FB54442D18
_PIO2_LO: float = 6.123233995736766e-17  # 0x3C91A62633145C07
_PI: float = 3.141592653589793  # 0x400921FB54442D18
_PI_LO: float = 1.2246467991473532e-16  # 0x3CA1A62633145C07

# R(z) = p(z)/q(z) ≈ (asin(√z) - √z)/√z³ on [0, 0.25]
_PS0: float = 0.16666666666666666  # 0x3FC5555555555555
_PS1: float = -0.3255658186224009  # 0xBFD4D61203EB6F7D
_PS2: float = 0.20121253213486293  # 0x3FC9C1550E884455
_PS3: float = -0.04005553450067941  # 0xBFA48228B5688F3B
_PS4: float = 0.0007915349942898145  # 0x3F49EFE07501B288
_PS5: float = 3.479331075960212e-05  # 0x3F023DE10DFDF709
_QS1: float = -2.403394911734414  # 0xC0033A271C8A2D4B
_QS2: float = 2.0209457602335057  # 0x40002AE59C598AC8
_QS3: float = -0.6882839716054533  # 0xBFE6066C1B8D0159
_QS4: float = 0.07703815055590194  # 0x3FB3B8C5B12E9282

# atan(b) = hi + lo at the breakpoints b = 0.5, 1, 1.5, ∞
_ATAN_HI_0: float = 0.4636476090008061  # 0x3FDDAC670561BB4F
_ATAN_HI_1: float = 0.7853981633974483  # 0x3FE921FB54442D18
_ATAN_HI_2: float = 0.982793723247329  # 0x3FEF730BD281F69B
_ATAN_HI_3: float = 1.5707963267948966  # 0x3FF921FB54442D18
_ATAN_LO_0: float = 2.2698777452961687e-17  # 0x3C7A2B7F222F65E2
_ATAN_LO_1: float = 3.061616997868383e-17  # 0x3C81A62633145C07
_ATAN_LO_2: float = 1.3903311031230998e-17  # 0x3C7007887AF0CBBD
_ATAN_LO_3: float = 6.123233995736766e-17  # 0x3C91A62633145C07

# atan(x) ≈ x - x·(aT0·x² + aT1·x⁴ + … + aT10·x²²) on [-7/16, 7/16]
_AT0: float = 0.3333333333333293  # 0x3FD555555555550D
_AT1: float = -0.19999999999876483  # 0xBFC999999998EBC4
_AT2: float = 0.14285714272503466  # 0x3FC24924920083FF
_AT3: float = -0.11111110405462356  # 0xBFBC71C6FE231671
_AT4: float = 0.09090887133436507  # 0x3FB745CDC54C206E
_AT5: float = -0.0769187620504483  # 0xBFB3B0F2AF749A6D
_AT6: float = 0.06661073137387531  # 0x3FB10D66A0D03D51
_AT7: float = -0.058335701337905735  # 0xBFADDE2D52DEFD9A
_AT8: float = 0.049768779946159324  # 0x3FA97B4B24760DEB
_AT9: float = -0.036531572744216916  # 0xBFA2B4442C6A6C2F
_AT10: float = 0.016285820115365782  # 0x3F90AD3AE322DA11


def _asin_r(z: float) -> float:
    """(asin(√z) - √z)/√z³ for z in [0, 0.25]."""
    p: float = z * (_PS0 + z * (_PS1 + z * (_PS2 + z * (_PS3 + z * (_PS4 + z * _PS5)))))
    q: float = 1.0 + z * (_QS1 + z * (_QS2 + z * (_QS3 + z * _QS4)))
    return p / q


def asin(x: float) -> float:
    """Arc sine of x in [-π/2, π/2]; nan outside [-1, 1]."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x3FF00000:  # |x| >= 1 or nan
        if ((ix - 0x3FF00000) | low_word(x)) == 0:
            return x * _PIO2_HI + 7.52316384526264e-37  # ±π/2, rounded as fdlibm does
        return nan()  # |x| > 1 or x is nan: domain error
    if ix < 0x3FE00000:  # |x| < 0.5
        if ix < 0x3E500000:  # |x| < 2**-26: asin(x) rounds to x
            return x
        return x + x * _asin_r(x * x)
    # 0.5 <= |x| < 1: asin(|x|) = π/2 - 2·asin(√((1 - |x|)/2))
    z: float = (1.0 - math.fabs(x)) * 0.5
    s: float = math.sqrt(z)
    r: float = _asin_r(z)
    t: float = 0.0
    if ix >= 0x3FEF3333:  # |x| > 0.975
        t = _PIO2_HI - (2.0 * (s + s * r) - _PIO2_LO)
    else:
        f: float = clear_low_word(s)  # f + c = √z, f exact when squared
        c: float = (z - f * f) / (s + f)
        t = 0.5 * _PIO2_HI - (2.0 * s * r - (_PIO2_LO - 2.0 * c) - (0.5 * _PIO2_HI - 2.0 * f))
    if hx < 0:
        return -t
    return t


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
    if ix < 0x3FE00000:  # |x| < 0.5
        if ix <= 0x3C600000:  # |x| < 2**-57
            return _PIO2_HI + 7.52316384526264e-37
        return _PIO2_HI - (x - (_PIO2_LO - x * _asin_r(x * x)))
    if hx < 0:  # x <= -0.5: acos(x) = π - 2·asin(√((1 + x)/2))
        z: float = (1.0 + x) * 0.5
        s: float = math.sqrt(z)
        w: float = _asin_r(z) * s - _PIO2_LO
        return 2.0 * (_PIO2_HI - (s + w))
    # x >= 0.5: acos(x) = 2·asin(√((1 - x)/2)), with √ split into head and tail
    z2: float = (1.0 - x) * 0.5
    s2: float = math.sqrt(z2)
    df: float = clear_low_word(s2)
    c: float = (z2 - df * df) / (s2 + df)
    w2: float = _asin_r(z2) * s2 + c
    return 2.0 * (df + w2)


def atan(x: float) -> float:
    """Arc tangent of x in [-π/2, π/2]."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x44100000:  # |x| >= 2**66 or nan
        if x != x:
            return x
        if hx < 0:
            return -(_ATAN_HI_3 + 7.52316384526264e-37)
        return _ATAN_HI_3 + 7.52316384526264e-37
    idx: int = -1
    if ix < 0x3FDC0000:  # |x| < 0.4375
        if ix < 0x3E400000:  # |x| < 2**-27: atan(x) rounds to x
            return x
    else:
        x = math.fabs(x)
        if ix < 0x3FF30000:  # |x| < 1.1875
            if ix < 0x3FE60000:  # 7/16 <= |x| < 11/16
                idx = 0
                x = (2.0 * x - 1.0) / (2.0 + x)
            else:  # 11/16 <= |x| < 19/16
                idx = 1
                x = (x - 1.0) / (x + 1.0)
        elif ix < 0x40038000:  # |x| < 2.4375
            idx = 2
            x = (x - 1.5) / (1.0 + 1.5 * x)
        else:  # 2.4375 <= |x| < 2**66
            idx = 3
            x = -1.0 / x
    z: float = x * x
    w: float = z * z
    # odd and even halves of Σ aT_i·z^(i+1), evaluated in parallel
    s1: float = z * (_AT0 + w * (_AT2 + w * (_AT4 + w * (_AT6 + w * (_AT8 + w * _AT10)))))
    s2: float = w * (_AT1 + w * (_AT3 + w * (_AT5 + w * (_AT7 + w * _AT9))))
    if idx < 0:
        return x - x * (s1 + s2)
    hi: float = _ATAN_HI_3
    lo: float = _ATAN_LO_3
    if idx == 0:
        hi = _ATAN_HI_0
        lo = _ATAN_LO_0
    elif idx == 1:
        hi = _ATAN_HI_1
        lo = _ATAN_LO_1
    elif idx == 2:
        hi = _ATAN_HI_2
        lo = _ATAN_LO_2
    r: float = hi - ((x * (s1 + s2) - lo) - x)
    if hx < 0:
        return -r
    return r


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
    z: float = 0.0
    if m >= 2 and iy + (64 << 20) < ix:  # |y/x| < 2**-64 and x < 0: z underflows to 0
        z = 0.0
    else:
        z = atan(math.fabs(y / x))
    if m == 0:
        return z
    if m == 1:
        return -z
    if m == 2:
        return _PI - (z - _PI_LO)
    return (z - _PI_LO) - _PI
