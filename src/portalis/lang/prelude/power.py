"""``x ** y`` for a float ``x`` and a constant integer or half-integer ``y`` other than 0, 1
and 2 (``x ** 3``, ``x ** -1``, ``x ** 0.5``, ``x ** -1.5``), bit-identical to CPython's
``pow(x, y)`` without calling it on most inputs.

The power is formed in double-double and rounded once (``portalis.lang.libm.powers``); where
the exact value is too close to a midpoint between two doubles for that rounding to be
provably glibc's pow's (about 4% of inputs), and for zeros, infinities, nan, negative bases
under a half-integer power and results beyond 2**±900, the general ``x ** y``
(prelude/float_pow.py) decides, with CPython's exceptions. ``twice_y`` is 2·y, an integer.
Plain Python too: under CPython ``power(x, 2 * y) == x ** y`` bit for bit.
"""

from portalis.lang.libm.powers import power as power_in_double_double


def power(x: float, twice_y: int) -> float:
    r = power_in_double_double(x, twice_y)
    if r == r:
        return r
    return x ** (0.5 * twice_y)
