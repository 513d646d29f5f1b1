"""``scale·(1 + tmp)`` rounded once, the last step of exp and exp2, mostly without the
software fused multiply-add.

exp's result is ``scale + scale·tmp`` rounded as one FMA would (glibc's FMA build), which
WebAssembly must emulate with Dekker's product (``_dd.mul_add``: two splits, four products,
about 25 operations, most of exp's time). Yet the product's rounding error can change the
sum's rounding only when the sum lands next to a midpoint: |tmp| < 2**-8, so that error is
below 2**-7 ulp of the sum. Hence: sum ``s = scale + p`` with ``p = fl(scale·tmp)``, take
its exact error ``err`` (Dekker's fast two-sum, |scale| > |p|), and when ``|err|`` is at
most 0.49 ulp of ``s`` (half that at a power of two, where the doubles below are twice as
dense) ``s`` is the correctly rounded ``scale + scale·tmp``: the FMA's result, and
``mul_add``'s too, bit for bit. About 2% of inputs fail the test and take ``mul_add``.
"""

from __future__ import annotations

import math

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._dd import mul_add


def scale_add(scale: float, tmp: float) -> float:
    """``mul_add(scale, tmp, scale)`` for a normal positive ``scale``, |tmp| < 2**-8, and a
    normal result."""
    p: float = scale * tmp
    s: float = scale + p
    err: float = p - (s - scale)  # s + err == scale + p exactly
    bits: int = float_to_bits(s)
    ulp: float = bits_to_float((bits & 0x7FF0000000000000) - (52 << 52))
    if (bits & 0x000FFFFFFFFFFFFF) == 0:
        ulp = 0.5 * ulp
    if math.fabs(err) <= 0.49 * ulp:  # one test: a chained one branches on err's sign
        return s
    return mul_add(scale, tmp, scale)
