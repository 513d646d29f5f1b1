"""sin, cos and tan with C semantics (FreeBSD msun ``s_sin.c``, ``s_cos.c``, ``s_tan.c``).

x is reduced to n·π/2 + y (``rem_pio2``), then n mod 4 picks the kernel and the sign:

    n mod 4   sin   cos   tan
       0       S     C     T
       1       C    -S   -1/T
       2      -S    -C     T
       3      -C     S   -1/T

sin(±inf), cos(±inf), tan(±inf) are nan; nan propagates; sin(-0) = -0.
"""

from __future__ import annotations

from portalis.lang.libm._ieee import high_word
from portalis.lang.libm._rem_pio2 import rem_pio2
from portalis.lang.libm._trig_kernels import kernel_cos, kernel_sin, kernel_tan


def sin(x: float) -> float:
    """Sine of x (radians)."""
    ix: int = high_word(x) & 0x7FFFFFFF
    if ix <= 0x3FE921FB:  # |x| ~<= π/4
        if ix < 0x3E500000:  # |x| < 2**-26: sin(x) rounds to x (and keeps -0)
            return x
        return kernel_sin(x, 0.0)
    if ix >= 0x7FF00000:  # inf or nan
        return x - x
    fn, y0, y1 = rem_pio2(x)
    n: int = int(fn) & 3
    if n == 0:
        return kernel_sin(y0, y1)
    if n == 1:
        return kernel_cos(y0, y1)
    if n == 2:
        return -kernel_sin(y0, y1)
    return -kernel_cos(y0, y1)


def cos(x: float) -> float:
    """Cosine of x (radians)."""
    ix: int = high_word(x) & 0x7FFFFFFF
    if ix <= 0x3FE921FB:  # |x| ~<= π/4
        if ix < 0x3E46A09E:  # |x| < 2**-27·√2: cos(x) rounds to 1
            return 1.0
        return kernel_cos(x, 0.0)
    if ix >= 0x7FF00000:
        return x - x
    fn, y0, y1 = rem_pio2(x)
    n: int = int(fn) & 3
    if n == 0:
        return kernel_cos(y0, y1)
    if n == 1:
        return -kernel_sin(y0, y1)
    if n == 2:
        return -kernel_cos(y0, y1)
    return kernel_sin(y0, y1)


def tan(x: float) -> float:
    """Tangent of x (radians)."""
    ix: int = high_word(x) & 0x7FFFFFFF
    if ix <= 0x3FE921FB:  # |x| ~<= π/4
        if ix < 0x3E400000:  # |x| < 2**-27: tan(x) rounds to x
            return x
        return kernel_tan(x, 0.0, 0)
    if ix >= 0x7FF00000:
        return x - x
    fn, y0, y1 = rem_pio2(x)
    return kernel_tan(y0, y1, int(fn) & 1)
