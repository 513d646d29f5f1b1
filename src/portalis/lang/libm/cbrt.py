"""cbrt with C semantics: the real cube root, odd, exact for perfect cubes (FreeBSD msun
``s_cbrt.c`` by Bruce D. Evans, as carried into musl; error < 0.667 ulp).

A bit-level estimate (integer division of the exponent-biased high word by 3) gives 5 bits,
a polynomial for 1/cbrt(r) brings it to 23 bits, rounding to 23 bits makes t² exact, and one
Newton step reaches 53 bits.
"""

from __future__ import annotations

from portalis.lang.libm._bits import bits_to_float, float_to_bits

_B1: int = 715094163  # (1023 - 1023/3 - 0.03306235651)·2**20
_B2: int = 696219795  # (1023 - 1023/3 - 54/3 - 0.03306235651)·2**20
# |1/cbrt(x) - p(x)| < 2**-23.5 on [-7.93e-8, 7.929e-8] around 1
_P0: float = 1.87595182427177  # 0x3FFE03E60F61E692
_P1: float = -1.8849797954337717  # 0xBFFE28E092F02420
_P2: float = 1.6214297201053545  # 0x3FF9F1604A49D6C2
_P3: float = -0.758397934778766  # 0xBFE844CBBEE751D9
_P4: float = 0.14599619288661245  # 0x3FC2B000D4E4EDD7


def cbrt(x: float) -> float:
    """Cube root of x (negative for negative x)."""
    bits: int = float_to_bits(x)
    hx: int = (bits >> 32) & 0x7FFFFFFF
    if hx >= 0x7FF00000:  # inf or nan
        return x + x
    if hx < 0x00100000:  # zero or subnormal
        hx = (float_to_bits(x * 1.8014398509481984e16) >> 32) & 0x7FFFFFFF  # x·2**54
        if hx == 0:
            return x  # ±0
        hx = hx // 3 + _B2
    else:
        hx = hx // 3 + _B1
    sign: int = bits & -9223372036854775808  # the sign bit alone (1 << 63 as int64)
    t: float = bits_to_float(sign | (hx << 32))
    # 23 bits: cbrt(x) = t·cbrt(x/t³) ≈ t·P(t³/x)
    r: float = (t * t) * (t / x)
    t = t * ((_P0 + r * (_P1 + r * _P2)) + ((r * r) * r) * (_P3 + r * _P4))
    # round t away from zero to 23 bits, so t² is exact below
    t = bits_to_float((float_to_bits(t) + 0x80000000) & -1073741824)  # & ~0x3FFFFFFF
    # one Newton step to 53 bits, error < 0.667 ulp
    s: float = t * t
    r = x / s
    w: float = t + t
    r = (r - t) / (w + r)
    return t + t * r
