"""``x ** 2`` for a float ``x``, bit-identical to CPython's ``pow(x, 2)`` without calling it
on most inputs.

Why not ``x * x``: the C library's ``pow`` is not correctly rounded and a product is, so
``x * x`` differs from CPython's ``x ** 2`` on ~0.1% of inputs. The two agree whenever the
exact square is not close to a rounding boundary: ``pow`` is within 0.52 ulp of the exact
value (the bound of the Arm algorithm glibc uses), so when the exact square lies within 0.45
ulp of the double ``x * x``, that double is the only one ``pow`` can return.

The error of ``x * x`` is computed exactly (Dekker's splitting: ``x * x == p + e``); when it
is at most 0.45 ulp, ``p`` is the answer; otherwise (about one input in ten), and for zeros,
infinities, NaN and very large or small ``x``, the general ``pow`` decides
(prelude/float_pow.py). Measured 2–5× faster than ``pow`` for ``d ** 2`` in a loop
(``portalis bench compiler``, case ``square``). It is
plain Python too: under CPython ``square(x) == x ** 2`` (tests/lang/test_differential.py).
Other constant integer and half-integer powers have their own fast path (prelude/power.py).
"""

import math

from portalis.lang import bits_to_float, float_to_bits

SPLIT = 134217729.0  # 2**27 + 1: Dekker's splitting constant


def square(x: float) -> float:
    ax = math.fabs(x)
    if not 1e-100 < ax < 1e100:
        return x**2.0
    p = x * x
    c = SPLIT * x
    xh = c - (c - x)
    xl = x - xh
    e = ((xh * xh - p) + 2.0 * xh * xl) + xl * xl  # x * x == p + e exactly
    exponent = float_to_bits(p) >> 52
    ulp = bits_to_float((exponent - 52) << 52)
    if math.fabs(e) <= 0.45 * ulp:
        return p
    return x**2.0
