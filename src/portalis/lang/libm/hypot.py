"""hypot with C semantics: √(x² + y²) without undue overflow or underflow.

After musl ``hypot.c`` (squares formed exactly as head + tail by Dekker's product, operands
rescaled by 2**±700 so neither overflows nor loses its tail), with one Newton correction of
the square root against the double-double sum, so the result is nearly correctly rounded —
CPython's own math.hypot is, and we are compared with it. hypot(±inf, nan) = +inf.
"""

from __future__ import annotations

import math

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._dd import square_error

_TWO700: float = 5.260135901548374e210  # 2**700
_TWOM700: float = 1.90109156629516e-211  # 2**-700


def hypot(x: float, y: float) -> float:
    """Euclidean norm √(x² + y²)."""
    bx: int = float_to_bits(x) & 0x7FFFFFFFFFFFFFFF
    by: int = float_to_bits(y) & 0x7FFFFFFFFFFFFFFF
    if bx < by:  # arrange |x| >= |y|
        t: int = bx
        bx = by
        by = t
    ex: int = bx >> 52
    ey: int = by >> 52
    x = bits_to_float(bx)
    y = bits_to_float(by)
    if ey == 0x7FF:  # y is inf or nan, and so is x: inf wins over nan
        if by == 0x7FF0000000000000:
            return y
        if bx == 0x7FF0000000000000:
            return x
        return y
    if ex == 0x7FF or by == 0:
        return x
    if ex - ey > 64:  # y²/x² below half an ulp
        return x + y
    z: float = 1.0
    if ex > 0x3FF + 510:
        z = _TWO700
        x = x * _TWOM700
        y = y * _TWOM700
    elif ey < 0x3FF - 450:
        z = _TWOM700
        x = x * _TWO700
        y = y * _TWO700
    hx: float = x * x
    lx: float = square_error(x, hx)
    hy: float = y * y
    ly: float = square_error(y, hy)
    # s + e = hx + hy + lx + ly (two-sum of the heads, tails added to the error)
    s: float = hx + hy
    e: float = (hx - s) + hy + (lx + ly)
    r: float = math.sqrt(s + e)
    # one Newton step on the double-double s + e: r + (s + e - r²)/(2r)
    rr: float = r * r
    rr_err: float = square_error(r, rr)
    r = r + (((s - rr) - rr_err) + e) / (2.0 * r)
    return z * r
