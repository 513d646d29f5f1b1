"""``x ** -1.5`` for a float ``x`` (gravity's ``r2 ** -1.5``, as in the n-body kernel),
bit-identical to CPython's ``pow(x, -1.5)`` and small enough to be inlined into the loop
that uses it.

The general fast path for constant powers (``libm/powers.py``) written out for the one
exponent: √x as a double-double, times x, then the reciprocal with its exact remainder, and
one rounding, kept where it is provably glibc's pow's. The general path's call and its loop
over the exponent's bits took half of the n-body kernel's time
(``portalis bench compiler --corpus nbody``).

Where the exact power is too close to a midpoint between two doubles (about 4% of inputs)
the module's ``pow`` decides, as CPython's float ``**`` would call it: ``x`` is then
positive, finite and far from the range's ends, so none of CPython's ``**`` errors can arise
and ``math.pow`` gives its bits. Zeros, negative bases (CPython's result is complex),
infinities, nan and ``x`` outside [1e-150, 1e150] take the general ``x ** -1.5``
(prelude/float_pow.py), with CPython's exceptions.
Plain Python too: under CPython ``inverse_three_halves(x) == x ** -1.5`` bit for bit
(tests/lang/test_fixed_powers.py).
"""

import math

from portalis.lang import bits_to_float, float_to_bits
from portalis.lang.libm._dd import product_error, square_error


def inverse_three_halves(x: float) -> float:
    if not 1e-150 < x < 1e150:
        return x**-1.5
    sh = math.sqrt(x)  # √x = sh + sl (x - sh² is exact: Sterbenz)
    s2 = sh * sh
    sl = ((x - s2) - square_error(sh, s2)) / (2.0 * sh)
    p = sh * x  # x·√x = ph + pl
    t = product_error(sh, x, p) + sl * x
    ph = p + t
    pl = t - (ph - p)
    q = 1.0 / ph  # 1 / (ph + pl) = q + q·r, r the exact remainder of the quotient
    p = q * ph
    r = ((1.0 - p) - product_error(q, ph, p)) - q * pl
    rl = r * q
    h = q + rl
    lo = rl - (h - q)
    # Keep h when the exact power is within 1 - (glibc pow's error bound) ulp of it (as in
    # libm/powers.py: 0.48, and 0.45 where |1.5·ln x| > 89); the ulp is that of h's binade,
    # and half that below a power of two, where the doubles are twice as dense.
    bits = float_to_bits(h)
    ulp = bits_to_float(((bits >> 52) - 52) << 52)
    if (bits & 0x000FFFFFFFFFFFFF) == 0:
        ulp = 0.5 * ulp
    bound = 0.48
    if not 2.938735877055719e-39 < h < 3.402823669209385e38:  # 2**-128, 2**128
        bound = 0.45
    if math.fabs(lo) <= bound * ulp:
        return h
    return math.pow(x, -1.5)
