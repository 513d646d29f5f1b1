"""``x ** 3`` for a float ``x`` (the Lennard-Jones ``(1 / r2) ** 3``), bit-identical to
CPython's ``pow(x, 3)`` and small enough to be inlined into the loop that uses it.

The same method as the general fast path for constant powers (``libm/powers.py``: the power
in double-double, rounded once, kept where that rounding is provably glibc's pow's) written
out for the one exponent: two exact products and no loop, no branch on the exponent. The
general path is a call with a loop over the exponent's bits; in a loop over pairs the call
(spilling every live float) and the loop cost more than the arithmetic (about a quarter of
the Lennard-Jones kernel's time, ``portalis bench compiler --corpus lennard_jones``).

Where the exact cube is too close to a midpoint between two doubles (about 4% of inputs)
the module's ``pow`` decides, as CPython's float ``**`` would call it: ``x`` is then finite,
not 0 or ±1, and the cube far from overflow, so none of CPython's ``**`` errors can arise
and ``math.pow`` (a call, kept out of the loop's line) gives its bits. Zeros, infinities,
nan and ``|x|`` outside [1e-90, 1e90] (cubes beyond 2**±900, where CPython may raise or the
double-double would lose bits) take the general ``x ** 3.0`` (prelude/float_pow.py).
Plain Python too: under CPython ``cube(x) == x ** 3`` bit for bit (tests/lang/test_fixed_powers.py).
"""

import math

from portalis.lang import bits_to_float, float_to_bits
from portalis.lang.libm._dd import product_error, square_error


def cube(x: float) -> float:
    ax = math.fabs(x)
    if not 1e-90 < ax < 1e90:
        return x**3.0
    sh = ax * ax  # ax² = sh + sl exactly
    sl = square_error(ax, sh)
    p = sh * ax  # ax³ = p + t to ~2**-100, then renormalised to h + lo
    t = product_error(sh, ax, p) + sl * ax
    h = p + t
    lo = t - (h - p)
    # Keep h when the exact cube is within 1 - (glibc pow's error bound) ulp of it (as in
    # libm/powers.py: 0.48, and 0.45 where |3·ln x| > 89); the ulp is that of h's binade,
    # and half that below a power of two, where the doubles are twice as dense.
    bits = float_to_bits(h)
    ulp = bits_to_float(((bits >> 52) - 52) << 52)
    if (bits & 0x000FFFFFFFFFFFFF) == 0:
        ulp = 0.5 * ulp
    bound = 0.48
    if not 2.938735877055719e-39 < h < 3.402823669209385e38:  # 2**-128, 2**128
        bound = 0.45
    if math.fabs(lo) <= bound * ulp:
        return h if x > 0.0 else -h
    r = math.pow(ax, 3.0)
    return r if x > 0.0 else -r
