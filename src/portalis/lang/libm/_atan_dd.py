"""The arc tangent as a double-double, accurate to ~2**-70 relative, for atan and atan2.

Rounding the result once gives the correctly rounded arc tangent in all but about one case in
10**5; glibc's atan and atan2 (CPython's ``math`` on Linux) are correctly rounded on ~99.9%
of inputs, so the two agree there (fdlibm's single-double evaluation missed 2-11%).

Method: atan of a ratio n/d of two double-doubles, never formed: for n > d, atan(n/d) =
π/2 - atan(d/n). Then c = k/64 is the table point nearest n/d and atan(n/d) = atan c +
atan t, t = (n - c·d)/(d + c·n), |t| <= ~1/128: numerator and denominator are double-doubles
(c has 7 bits, the products keep their errors, Dekker), one quotient and its exact remainder
give t, and atan t - t = -t³/3 + t⁵/5 - … needs only five terms in doubles. asin, acos and
atan2 pass their ratios (x/√(1 - x²), y/x) as the two parts, atan passes x/1.
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


def atan_ratio(nh: float, nl: float, dh: float, dl: float) -> tuple[float, float]:
    """atan((nh + nl)/(dh + dl)) as an unnormalised pair (head, tail), for positive
    double-doubles n and d (nl, dl their tails) with heads in [2**-900, 2**900]: the ratio
    itself is never formed.

    With the larger of n and d below (atan r = π/2 - atan(1/r) swaps them), c = k/64 is the
    table point nearest n/d and t = (n - c·d)/(d + c·n) = tan(atan(n/d) - atan c): the
    numerator and denominator are double-doubles (c has 7 bits, so c·d and c·n are exact as
    Dekker products), then one quotient and its exact remainder give t to ~2**-100. This
    replaces a double-double division for the ratio, and another for 1/r, by one.
    """
    inverted: int = 0
    if nh > dh:
        s: float = nh
        nh = dh
        dh = s
        s = nl
        nl = dl
        dl = s
        inverted = 1
    k: int = int((nh / dh) * 64.0 + 0.5)
    c: float = float(k) * 0.015625
    p: float = c * dh
    num: float = nh - p
    num_lo: float = (sum_error(nh, -p, num) - product_error(c, dh, p)) + (nl - c * dl)
    u: float = num + num_lo  # renormalised, so num - q below is exact
    num_lo = num_lo - (u - num)
    num = u
    p = c * nh
    den: float = dh + p
    den_lo: float = (sum_error(dh, p, den) + product_error(c, nh, p)) + (dl + c * nl)
    th: float = (num + num_lo) / den
    q: float = th * den
    tl: float = (((num - q) - product_error(th, den, q)) + num_lo - th * den_lo) / den
    z: float = th * th
    corr: float = th * z * (_A3 + z * (_A5 + z * (_A7 + z * (_A9 + z * _A11))))
    ah: float = _ATAN_HI[k]
    s = ah + th
    lo: float = sum_error(ah, th, s) + (_ATAN_LO[k] + (tl + corr))
    if inverted == 0:
        return (s, lo)
    h: float = _PIO2_HI - s
    return (h, (sum_error(_PIO2_HI, -s, h) + (_PIO2_LO - lo)))
