"""``scale·(1 + tmp)`` rounded once, the last step of exp: one fused multiply-add.

It used to avoid the software fused multiply-add (as follows) mostly; since ``mul_add`` is
the hardware's (libm/_dd.py) it is just that. What it was:

exp's result is ``scale + scale·tmp`` rounded as one FMA would (glibc's FMA build), which
WebAssembly must emulate with Dekker's product (``_dd.mul_add``: two splits, four products,
about 25 operations, most of exp's time). Yet the product's rounding error can change the
sum's rounding only when the sum lands next to a midpoint between two doubles. Take
``p = fl(scale·tmp)``, ``s = fl(scale + p)`` and the exact error ``err`` of that sum
(Dekker's fast two-sum, |scale| > |p|); the exact ``scale + scale·tmp`` is ``s + err + e``
with ``e`` the product's error: |e| <= 2**-53·|p| < 2**-61·scale (|tmp| < 2**-8 in exp),
less than 2**-8 of an ulp of ``s``. Let u be the spacing of the doubles next to ``s`` on
err's side (half an ulp below a power of two). If ``s + err·1.0205`` still rounds to ``s``
then |err| <= u/2 / 1.0205 < 0.49·u, so |err + e| < 0.494·u: ``s`` is the correctly rounded
sum, which is the FMA's result and ``mul_add``'s, bit for bit. About 2% of inputs fail that
test and take ``mul_add``. The test is one multiply, one add and one comparison, with no bit
twiddling and no branch on signs.
"""

from __future__ import annotations

from portalis.lang.libm._dd import mul_add


def scale_add(scale: float, tmp: float) -> float:
    """``mul_add(scale, tmp, scale)``: scale·(1 + tmp) rounded once."""
    return mul_add(scale, tmp, scale)
