"""The acceptance test of the written-out constant powers (prelude/cube.py,
prelude/inverse_three_halves.py), the one of ``powers.py``: given the exact power as
``h + lo`` (h > 0, |lo| <= ulp/2), whether h is the only double glibc's pow can return.

pow is within 0.52 ulp of the exact value (0.55 where |y·ln x| > 89, its logarithm erring
more), so h is pow's answer when the exact value lies within 0.48 ulp of it (0.45 beyond
2**±128). The ulp is that of h's binade, halved at a power of two, where the doubles below
are twice as dense.
"""

from __future__ import annotations

import math

from portalis.lang.libm._bits import bits_to_float, float_to_bits


def decided(h: float, lo: float) -> bool:
    """Whether the exact power h + lo rounds, under glibc's pow, to h for certain."""
    bits: int = float_to_bits(h)
    ulp: float = bits_to_float(((bits >> 52) - 52) << 52)
    if (bits & 0x000FFFFFFFFFFFFF) == 0:
        ulp = 0.5 * ulp
    bound: float = 0.48
    if not 2.938735877055719e-39 < h < 3.402823669209385e38:  # 2**-128, 2**128
        bound = 0.45
    return math.fabs(lo) <= bound * ulp
