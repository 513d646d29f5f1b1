"""sin, cos and tan with C semantics, rounded like glibc (CPython's ``math`` on Linux).

x is reduced to n·π/2 + y (``rem_pio2``, accurate to ~2**-100 relative to y), then n mod 4
picks the kernel and the sign:

    n mod 4   sin   cos   tan
       0       S     C     T
       1       C    -S   -1/T
       2      -S    -C     T
       3      -C     S   -1/T

Below 2.426 sin and cos are not reduced but follow glibc's ranges (|x| < 0.8555: the kernel of
x itself; up to 2.426: the other kernel of π/2 - |x|), because the kernels reproduce glibc's
final rounding step, which depends on the argument the kernel sees (``_trig_kernels``).
sin(±inf), cos(±inf), tan(±inf) are nan; nan propagates; sin(-0) = -0.
"""

from __future__ import annotations

import math

from portalis.lang.libm._dd import mul_add
from portalis.lang.libm._ieee import high_word
from portalis.lang.libm._rem_pio2 import rem_pio2
from portalis.lang.libm._trig_kernels import kernel_cos, kernel_sin, kernel_tan

_HP0: float = 1.5707963267948966  # π/2, head
_HP1: float = 6.123233995736766e-17  # π/2 - _HP0
# glibc's tan reduction (utan.h): 2/π, the rounding shift, π/2 as 26 + 27 + 53 bits
_HPINV: float = 0.6366197723675814  # 0x3FE45F306DC9C883
_TOINT: float = 6755399441055744.0  # 0x4338000000000000
_MP1: float = 1.5707963407039642  # 0x3FF921FB58000000
_MP2: float = -1.3909067564377153e-08  # 0xBE4DDE973C000000
_MP3: float = -4.9789962505147994e-17  # 0xBC8CB3B399D747F2


def sin(x: float) -> float:
    """Sine of x (radians)."""
    ix: int = high_word(x) & 0x7FFFFFFF
    if ix < 0x3E500000:  # |x| < 2**-26: sin(x) rounds to x (and keeps -0)
        return x
    if ix < 0x3FEB6000:  # |x| < 0.8555
        return kernel_sin(x, 0.0)
    if ix < 0x400368FD:  # |x| < 2.426: sin x = ±cos(π/2 - |x|)
        return math.copysign(1.0, x) * kernel_cos(_HP0 - math.fabs(x), _HP1)
    if ix >= 0x7FF00000:  # inf or nan
        return x - x
    fn, y0, y1 = rem_pio2(x)
    n: int = int(fn)
    # The sign (n mod 4 >= 2) by arithmetic, not a branch: n is as good as random.
    sign: float = float(1 - (n & 2))
    if n & 1 == 0:
        return sign * kernel_sin(y0, y1)
    return sign * kernel_cos(y0, y1)


def cos(x: float) -> float:
    """Cosine of x (radians)."""
    ix: int = high_word(x) & 0x7FFFFFFF
    if ix < 0x3E400000:  # |x| < 2**-27: cos(x) rounds to 1
        return 1.0
    if ix < 0x3FEB6000:  # |x| < 0.8555
        return kernel_cos(x, 0.0)
    if ix < 0x400368FD:  # |x| < 2.426: cos x = sin(π/2 - |x|), the argument renormalised
        y: float = _HP0 - math.fabs(x)
        a: float = y + _HP1
        return kernel_sin(a, (y - a) + _HP1)
    if ix >= 0x7FF00000:
        return x - x
    fn, y0, y1 = rem_pio2(x)
    n: int = int(fn)
    sign: float = float(1 - ((n + 1) & 2))  # negative for n mod 4 in {1, 2}
    if n & 1 == 0:
        return sign * kernel_cos(y0, y1)
    return sign * kernel_sin(y0, y1)


def tan(x: float) -> float:
    """Tangent of x (radians)."""
    ix: int = high_word(x) & 0x7FFFFFFF
    if ix < 0x3FE92F1B:  # |x| <= ~0.787, where glibc does not reduce either
        if ix < 0x3E400000:  # |x| < 2**-27: tan(x) rounds to x
            return x
        return kernel_tan(x, 0.0, 0, 0)
    if ix >= 0x7FF00000:
        return x - x
    fn, y0, y1 = rem_pio2(x)
    if math.fabs(y0) < 9.5367431640625e-07 and math.fabs(x) <= 25.0:  # |y| < 2**-20
        # x is within 2**-20 of a multiple of π/2 (tan(3·math.pi), …): there glibc's own
        # reduction error shows in its result, so reduce as it does
        fn, y0, y1 = _glibc_reduction(x)
    return kernel_tan(y0, y1, int(fn) & 1, 1)


def _glibc_reduction(x: float) -> tuple[float, float, float]:
    """(n, a, da) with x ≈ n·π/2 + a + da as glibc's tan reduces 0.787 < |x| <= 25
    (``s_tan.c``, π/2 as three pieces, |π/2 - pieces| ~ 2**-108), rounded as its FMA build
    (x86-64 with FMA, where every a·b + c of the source is fused) rounds: each fused step is
    ``mul_add`` here."""
    fn: float = mul_add(x, _HPINV, _TOINT) - _TOINT
    t1: float = mul_add(-fn, _MP2, mul_add(-fn, _MP1, x))
    a: float = mul_add(-fn, _MP3, t1)
    return (fn, a, mul_add(-fn, _MP3, t1 - a))
