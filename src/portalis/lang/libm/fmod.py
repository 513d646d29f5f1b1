"""fmod with C semantics: x - n·y with n = trunc(x/y), computed exactly (the result of fmod is
always representable).

After musl ``fmod.c``: long division on the 53-bit integer mantissas, one exponent step at a
time, then renormalisation. Rewritten for signed 64-bit integers: mantissas stay below 2**54.
fmod(±inf, y), fmod(x, 0) and nan arguments give nan; fmod(x, ±inf) = x for finite x; the result
has the sign of x (fmod(-0.0, 1) = -0.0).
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._ieee import nan

_IMPLICIT: int = 0x10000000000000  # 2**52, the implicit mantissa bit
_MANT: int = 0xFFFFFFFFFFFFF


def fmod(x: float, y: float) -> float:
    """Remainder of x/y rounded toward zero, with the sign of x."""
    bx: int = float_to_bits(x)
    by: int = float_to_bits(y)
    ax: int = bx & 0x7FFFFFFFFFFFFFFF
    ay: int = by & 0x7FFFFFFFFFFFFFFF
    ex: int = ax >> 52
    ey: int = ay >> 52
    if ay == 0 or ay > 0x7FF0000000000000 or ex == 0x7FF:  # y is 0 or nan, x inf or nan
        if x != x:
            return x
        if y != y:
            return y
        return nan()
    if ax <= ay:
        if ax == ay:
            return 0.0 * x  # ±0 with the sign of x
        return x
    mx: int = ax & _MANT
    my: int = ay & _MANT
    # normalise: value = m·2**(e - 1075) with m in [2**52, 2**53)
    if ex == 0:
        ex = 1
        while mx < _IMPLICIT:
            mx = mx << 1
            ex = ex - 1
    else:
        mx = mx | _IMPLICIT
    if ey == 0:
        ey = 1
        while my < _IMPLICIT:
            my = my << 1
            ey = ey - 1
    else:
        my = my | _IMPLICIT
    # long division, one bit of quotient per exponent step
    d: int = 0
    while ex > ey:
        d = mx - my
        if d >= 0:
            if d == 0:
                return 0.0 * x
            mx = d
        mx = mx << 1
        ex = ex - 1
    d = mx - my
    if d >= 0:
        if d == 0:
            return 0.0 * x
        mx = d
    while mx < _IMPLICIT:
        mx = mx << 1
        ex = ex - 1
    r: float = 0.0
    if ex > 0:
        r = bits_to_float((ex << 52) | (mx - _IMPLICIT))
    else:
        r = bits_to_float(mx >> (1 - ex))  # subnormal: the shifted-out bits are zero
    if bx < 0:
        return -r
    return r
