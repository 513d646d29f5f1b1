"""The arc tangent as a double-double, accurate to ~2**-70 relative, for atan and atan2.

Rounding the result once gives the correctly rounded arc tangent in all but about one case in
10**5; glibc's atan and atan2 (CPython's ``math`` on Linux) are correctly rounded on ~99.9%
of inputs, so the two agree there (fdlibm's single-double evaluation missed 2-11%).

Method: for x > 1, atan x = π/2 - atan(1/x), with 1/x as a double-double. Then c = k/64 is
the nearest table point and atan x = atan c + atan t, t = (x - c)/(1 + x·c), |t| <= ~1/128:
t is formed as a double-double (x - c is exact by Sterbenz; the product and the quotient keep
their errors, Dekker), and atan t - t = -t³/3 + t⁵/5 - … needs only five terms in doubles.
"""

from __future__ import annotations

from portalis.lang.libm._atan_data import _ATAN_HI, _ATAN_LO
from portalis.lang.libm._dd import product_error, sum_error

_PIO2_HI: float = 1.5707963267948966  # π/2, head
_PIO2_LO: float = 6.123233995736766e-17  # π/2 - _PIO2_HI

# atan t - t = t³·(A3 + t²·(A5 + …)), |t| <= 2**-7: the next term is < 2**-75 relative.
_A3: float = -0.3333333333333333
_A5: float = 0.2
_A7: float = -0.14285714285714285
_A9: float = 0.1111111111111111
_A11: float = -0.09090909090909091


def atan_parts(xh: float, xl: float) -> tuple[float, float]:
    """atan(xh + xl) as an unnormalised pair (head, tail) to be summed by the caller, for
    finite xh >= 0 with xl its tail; xh·2**-1022 must not underflow past usefulness (callers
    return x itself below 2**-35) and xh < 2**996."""
    inverted: int = 0
    if xh > 1.0:
        r: float = 1.0 / xh
        p0: float = r * xh
        e: float = (1.0 - p0) - product_error(r, xh, p0)  # 1 - r·xh, exactly
        rl: float = (e - r * xl) * r
        xh = r + rl
        xl = rl - (xh - r)
        inverted = 1
    k: int = int(xh * 64.0 + 0.5)
    c: float = float(k) * 0.015625
    num: float = xh - c  # exact (Sterbenz, or c = 0)
    p: float = xh * c
    den: float = 1.0 + p
    den_lo: float = (sum_error(1.0, p, den) + product_error(xh, c, p)) + xl * c
    th: float = (num + xl) / den
    q: float = th * den
    tl: float = (((num - q) - product_error(th, den, q)) + xl - th * den_lo) / den
    z: float = th * th
    corr: float = th * z * (_A3 + z * (_A5 + z * (_A7 + z * (_A9 + z * _A11))))
    ah: float = _ATAN_HI[k]
    s: float = ah + th
    lo: float = sum_error(ah, th, s) + (_ATAN_LO[k] + (tl + corr))
    if inverted == 0:
        return (s, lo)
    h: float = _PIO2_HI - s
    return (h, (sum_error(_PIO2_HI, -s, h) + (_PIO2_LO - lo)))
