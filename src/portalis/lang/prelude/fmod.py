"""Exact IEEE-754 ``fmod`` written in the kernel language (a port of musl's bit-by-bit
algorithm). The compiler links it into modules that use float ``%`` or ``//`` (CPython
computes both from C ``fmod``), and for ``math.fmod`` when the math library lacks it.

It is also plain Python: ``fmod(x, y) == math.fmod(x, y)`` for finite non-zero ``y``.
"""

import math

from portalis.lang import bits_to_float, float_to_bits

MANT = 0xFFFFFFFFFFFFF  # 52 mantissa bits
IMPLICIT = 0x10000000000000  # the implicit leading 1 (bit 52)
ABS = 0x7FFFFFFFFFFFFFFF


def fmod(x: float, y: float) -> float:
    """C99 fmod: x - n*y with n = trunc(x/y), computed exactly."""
    ux = float_to_bits(x)
    uy = float_to_bits(y)
    ex = (ux >> 52) & 0x7FF
    ey = (uy >> 52) & 0x7FF
    negative = ux < 0
    ax = ux & ABS
    ay = uy & ABS
    if ay == 0 or ay > 0x7FF0000000000000 or ex == 0x7FF:
        return math.nan
    if ax <= ay:
        if ax == ay:
            return 0.0 * x
        return x
    # normalize both significands to have bit 52 set
    if ex == 0:  # subnormal: shift the significand up, lowering the exponent
        ex = 1
        mx = ax
        while mx < IMPLICIT:
            mx = mx << 1
            ex -= 1
    else:
        mx = (ax & MANT) | IMPLICIT
    if ey == 0:
        ey = 1
        my = ay
        while my < IMPLICIT:
            my = my << 1
            ey -= 1
    else:
        my = (ay & MANT) | IMPLICIT
    # x mod y, one bit at a time
    while ex > ey:
        i = mx - my
        if i >= 0:
            if i == 0:
                return 0.0 * x
            mx = i
        mx = mx << 1
        ex -= 1
    i = mx - my
    if i >= 0:
        if i == 0:
            return 0.0 * x
        mx = i
    while mx < IMPLICIT:
        mx = mx << 1
        ex -= 1
    # scale the result back
    mx = (mx - IMPLICIT) | (ex << 52) if ex > 0 else mx >> (1 - ex)
    if negative:
        mx = mx | (-ABS - 1)
    return bits_to_float(mx)
