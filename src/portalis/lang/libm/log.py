"""log, log2, log10 and log1p with C semantics — the algorithms glibc ships, so that on Linux
they round like CPython's math:

* log and log2: table-driven (Arm optimized-routines, Szabolcs Nagy 2018, as in glibc 2.28+
  and musl): x = 2**k·z, log(x) = k·ln2 + log(c) + log1p(z/c - 1) with c from a table near z,
  and a dedicated polynomial near 1. About 0.52 and 0.55 ulp.
  glibc on x86-64 with FMA (CPython's math there) runs log built with -mfma, where the compiler
  fuses most multiply-adds of the tail; plain doubles land on the same tail within a bound,
  and glibc's rounding of hi + tail is certain unless hi + tail lies that close to a midpoint
  (1 in 270 of the libm bench's inputs, 7% of those in the near-1 band; glibc's own rounding
  there is sometimes 0.5005 ulp off, so correct rounding would not do).
  Then log recomputes the tail with glibc's fused operations in software (``mul_add``). The
  bounds, |ours - glibc's| in the tail: near 1, the roundings of r³·P and of the sum, below
  |r|³·2**-51; on the table path the roundings of r²·A0, r³·P and the sums, below 2**-69.4
  while |hh| >= 0.06 (k = 0 outside the near-1 band), far less relative to |hh| elsewhere.
* log10: Sun Microsystems fdlibm's original ``e_log10.c`` on top of log:
  log10(x) = n·log10(2) + log(m)/ln10 in split precision, exact for powers of ten.
* log1p: fdlibm ``s_log1p.c`` (musl's arrangement): 1 + x = 2**k·(1 + f) with a correction
  term for the rounding of 1 + x, log(1 + f) = 2s + s·R(s²) with s = f/(2 + f).

log(0) = -inf, log(x < 0) = nan, log(+inf) = +inf (CPython raises ValueError for the first two).
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

import math

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._dd import mul_add, product_error
from portalis.lang.libm._exp_log_data import _LOG2_INVC, _LOG2_LOGC, _LOG_INVC, _LOG_LOGC
from portalis.lang.libm._ieee import high_word, infinity, nan, with_high_word

_LN2_HI: float = 0.6931471803691238  # 0x3FE62E42FEE00000
_LN2_LO: float = 1.9082149292705877e-10  # 0x3DEA39EF35793C76
_TWO54: float = 1.8014398509481984e16  # 0x4350000000000000
_IVLN10: float = 0.4342944819032518  # 0x3FDBCB7B1526E50E
_LOG10_2HI: float = 0.30102999566361177  # 0x3FD34413509F6000
_LOG10_2LO: float = 3.694239077158931e-13  # 0x3D59FEF311F12B36

# log (Arm optimized-routines)
# eps = slack·|r³| (near 1) or slack·|hh| (table path): 8x and >= 10x the bounds on
# |our tail - glibc's| in the module docstring (measured worst: 2**-8 and 2**-15 ulp).
_NEAR1_SLACK: float = 3.552713678800501e-15  # 2**-48
_TABLE_SLACK: float = 2.168404344971009e-19  # 2**-62
_LOG_NEAR1_LO: int = 0x3FEE000000000000  # 1 - 2**-4
_LOG_NEAR1_HI: int = 0x3FF1090000000000  # 1 + 0x1.09p-4
_LN2HI_T: float = 0.6931471805598903  # 0x1.62e42fefa3800p-1
_LN2LO_T: float = 5.497923018708371e-14  # 0x1.ef35793c76730p-45
# log1p(r) - r ≈ A0·r² + … on |r| < 0x1.fp-9, relative error 0x1.9p-56
_A0: float = -0.5000000000000001
_A1: float = 0.33333333331825593
_A2: float = -0.2499999999622955
_A3: float = 0.20000304511814496
_A4: float = -0.16667054827627667
# log(1 + r) - (r - r²/2) ≈ r³·(B1 + B2·r + …) near 1, relative error 0x1.c04d76cp-63
_B1: float = 0.3333333333333352
_B2: float = -0.24999999999998432
_B3: float = 0.19999999999320328
_B4: float = -0.16666666669929706
_B5: float = 0.14285715076560868
_B6: float = -0.12499997863982555
_B7: float = 0.11110712032936046
_B8: float = -0.10000486757818193
_B9: float = 0.09181994006195467
_B10: float = -0.08328363062289341

# log2 (Arm optimized-routines)
_LOG2_NEAR1_LO: int = 0x3FEEA4AF00000000  # 1 - 0x1.5b51p-5
_LOG2_NEAR1_HI: int = 0x3FF0B55900000000  # 1 + 0x1.6ab2p-5
_INVLN2HI: float = 1.4426950407214463  # 0x1.7154765200000p+0
_INVLN2LO: float = 1.6751713164886512e-10  # 0x1.705fc2eefa200p-33
# log2(1 + r) - r/ln2 ≈ r²·(C0 + C1·r + …) near 1, relative error 0x1.2fad8188p-63
_C0: float = -0.7213475204444817
_C1: float = 0.48089834696298744
_C2: float = -0.360673760222145
_C3: float = 0.2885390081805197
_C4: float = -0.24044917405728863
_C5: float = 0.2060992861022954
_C6: float = -0.18033596705327856
_C7: float = 0.1603032746063156
_C8: float = -0.14483316576701266
_C9: float = 0.13046826811283835
# log2(1 + r) - r/ln2 ≈ r²·(D0 + D1·r + …) for |r| < 1/128
_D0: float = -0.7213475204444882
_D1: float = 0.4808983469629985
_D2: float = -0.36067375954075914
_D3: float = 0.2885390073180969
_D4: float = -0.2404693555628422
_D5: float = 0.2061202382173603

_LG1: float = 0.6666666666666735  # 0x3FE5555555555593
_LG2: float = 0.3999999999940942  # 0x3FD999999997FA04
_LG3: float = 0.2857142874366239  # 0x3FD2492494229359
_LG4: float = 0.22222198432149784  # 0x3FCC71C51D8E78AF
_LG5: float = 0.1818357216161805  # 0x3FC7466496CB03DE
_LG6: float = 0.15313837699209373  # 0x3FC39A09D078C69F
_LG7: float = 0.14798198605116586  # 0x3FC2F112DF3E5244


def _log_r(s: float) -> float:
    """R with log(1 + f) = 2s + s·R, s = f/(2 + f) (odd and even halves in parallel)."""
    z: float = s * s
    w: float = z * z
    t1: float = w * (_LG2 + w * (_LG4 + w * _LG6))
    t2: float = z * (_LG1 + w * (_LG3 + w * (_LG5 + w * _LG7)))
    return t2 + t1


def _special(x: float, hx: int) -> float:
    """log of 0 (-inf), of a negative number or nan (nan) and of +inf (+inf)."""
    if x == 0.0:
        return -infinity()
    if x != x:
        return x
    if hx < 0:
        return nan()
    return x  # +inf


def _near1_tail_fused(r: float, rhi: float, rlo: float, lo: float) -> float:
    """The near-1 tail y (log x = hi + y, r = x - 1) with each multiply-add fused where
    glibc's FMA build fuses it: the polynomial in Horner pairs, lo + rlo·(rhi + r)/-2 and
    the final r³·P + lo."""
    r2: float = r * r
    r3: float = r * r2
    p1: float = mul_add(r2, _B3, mul_add(r, _B2, _B1))
    p4: float = mul_add(r2, _B6, mul_add(r, _B5, _B4))
    p7: float = mul_add(r3, _B10, mul_add(r2, _B9, mul_add(r, _B8, _B7)))
    poly: float = mul_add(mul_add(p7, r3, p4), r3, p1)
    lo = mul_add(-0.5 * rlo, rhi + r, lo)
    return mul_add(poly, r3, lo)


def _table_tail_fused(kd: float, rr: float, ww: float, hh: float) -> float:
    """The table path's tail (log x = hh + tail) with each multiply-add fused where glibc's
    FMA build fuses it: k·ln2_lo into the low sum, the polynomial's pairs, r²·A0 and the
    final r³·P."""
    lo: float = mul_add(kd, _LN2LO_T, ww - hh + rr)
    q2: float = rr * rr
    poly: float = mul_add(mul_add(rr, _A4, _A3), q2, mul_add(rr, _A2, _A1))
    return mul_add(rr * q2, poly, mul_add(q2, _A0, lo))


def log(x: float) -> float:
    """Natural logarithm of x.

    Table-driven (Arm optimized-routines, as in glibc 2.28+ and musl): x = 2**k·z with z in
    [0x1.6p-1, 0x1.6p0), log(x) = k·ln2 + log(c) + log1p(z/c - 1) for a table point c near z,
    and a dedicated polynomial near 1. Error about 0.52 ulp; rounds like glibc's FMA build
    (module docstring).
    """
    ix: int = float_to_bits(x)
    if ix >= _LOG_NEAR1_LO and ix < _LOG_NEAR1_HI:  # x in [1 - 2**-4, 1 + 0x1.09p-4)
        if x == 1.0:
            return 0.0
        r: float = x - 1.0
        r2: float = r * r
        r3: float = r * r2
        y: float = r3 * (
            _B1
            + r * _B2
            + r2 * _B3
            + r3 * (_B4 + r * _B5 + r2 * _B6 + r3 * (_B7 + r * _B8 + r2 * _B9 + r3 * _B10))
        )
        # r - r²/2 in extra precision: rhi² is exact
        w: float = r * 134217728.0  # 2**27
        rhi: float = r + w - w
        rlo: float = r - rhi
        w = rhi * rhi * -0.5
        hi: float = r + w
        lo: float = r - hi + w
        y = y + (lo + -0.5 * rlo * (rhi + r))
        # within eps1 of glibc's tail (module docstring); else round glibc's own way
        eps1: float = math.fabs(r3) * _NEAR1_SLACK
        res1: float = hi + (y - eps1)
        if res1 == hi + (y + eps1):
            return res1
        return hi + _near1_tail_fused(r, rhi, rlo, lo)
    top: int = ix >> 48
    if top < 0x0010 or top >= 0x7FF0:  # negative, zero, subnormal, inf or nan
        if x == 0.0:
            return -infinity()
        if x != x:
            return x
        if ix < 0:
            return nan()
        if top >= 0x7FF0:
            return x  # +inf
        ix = float_to_bits(x * 4503599627370496.0) - (52 << 52)  # subnormal: scale by 2**52
    # x = 2**k·z, z in [0x1.6p-1, 0x1.6p0); table point i holds z
    tmp: int = ix - 0x3FE6000000000000
    i: int = (tmp >> 45) & 127
    k: int = tmp >> 52
    z: float = bits_to_float(ix - ((tmp >> 52) << 52))
    invc: float = _LOG_INVC[i]
    # r = z/c - 1, |r| < 1/256, rounded once (software FMA, as glibc's FMA build computes it)
    rr: float = mul_add(z, invc, -1.0)
    kd: float = float(k)
    # hi + lo = r + log(c) + k·ln2
    ww: float = kd * _LN2HI_T + _LOG_LOGC[i]
    hh: float = ww + rr
    ll: float = ww - hh + rr + kd * _LN2LO_T
    q2: float = rr * rr
    tail: float = ll + q2 * _A0 + rr * q2 * (_A1 + rr * _A2 + q2 * (_A3 + rr * _A4))
    # within eps of glibc's tail (module docstring); else round glibc's own way
    eps: float = math.fabs(hh) * _TABLE_SLACK
    res: float = hh + (tail - eps)
    if res == hh + (tail + eps):
        return res
    return hh + _table_tail_fused(kd, rr, ww, hh)


def log2(x: float) -> float:
    """Base-2 logarithm of x; exact for powers of two.

    Table-driven (Arm optimized-routines, as in glibc 2.28+ and musl): x = 2**k·z,
    log2(x) = k + log2(c) + log2(1 + r) with r = z/c - 1 for a table point c near z, r/ln2 in
    extra precision; a dedicated polynomial near 1. Error about 0.55 ulp.
    """
    ix: int = float_to_bits(x)
    if ix >= _LOG2_NEAR1_LO and ix < _LOG2_NEAR1_HI:  # x in [1 - 0x1.5b51p-5, 1 + 0x1.6ab2p-5)
        if x == 1.0:
            return 0.0
        r: float = x - 1.0
        hi: float = r * _INVLN2HI
        lo: float = r * _INVLN2LO + product_error(r, _INVLN2HI, hi)
        r2: float = r * r
        r4: float = r2 * r2
        p: float = r2 * (_C0 + r * _C1)
        y: float = hi + p
        lo = lo + (hi - y + p)
        lo = lo + r4 * (
            _C2 + r * _C3 + r2 * (_C4 + r * _C5) + r4 * (_C6 + r * _C7 + r2 * (_C8 + r * _C9))
        )
        return y + lo
    top: int = ix >> 48
    if top < 0x0010 or top >= 0x7FF0:  # negative, zero, subnormal, inf or nan
        if x == 0.0:
            return -infinity()
        if x != x:
            return x
        if ix < 0:
            return nan()
        if top >= 0x7FF0:
            return x  # +inf
        ix = float_to_bits(x * 4503599627370496.0) - (52 << 52)  # subnormal: scale by 2**52
    tmp: int = ix - 0x3FE6000000000000
    i: int = (tmp >> 46) & 63
    k: int = tmp >> 52
    z: float = bits_to_float(ix - ((tmp >> 52) << 52))
    # r = z/c - 1 rounded once; r/ln2 as t1 + t2
    rr: float = mul_add(z, _LOG2_INVC[i], -1.0)
    t1: float = rr * _INVLN2HI
    t2: float = rr * _INVLN2LO + product_error(rr, _INVLN2HI, t1)
    # hi + lo = r/ln2 + log2(c) + k
    t3: float = float(k) + _LOG2_LOGC[i]
    hh: float = t3 + t1
    ll: float = t3 - hh + t1 + t2
    q2: float = rr * rr
    q4: float = q2 * q2
    pp: float = _D0 + rr * _D1 + q2 * (_D2 + rr * _D3) + q4 * (_D4 + rr * _D5)
    return ll + q2 * pp + hh


def log10(x: float) -> float:
    """Base-10 logarithm of x (fdlibm's original ``e_log10.c``, which glibc ships).

    With x = 2**n·m (m in [1, 2), or [0.5, 1) when n < 0 so that n·log10(2) and log10(m)
    do not cancel): log10(x) = n·log10_2hi + (n·log10_2lo + log(m)/ln10). Exact for 10**k.
    """
    hx: int = high_word(x)
    if x == 0.0 or hx < 0 or hx >= 0x7FF00000:
        return _special(x, hx)
    k: int = 0
    if hx < 0x00100000:  # subnormal: scale up
        k = -54
        x = x * _TWO54
        hx = high_word(x)
    k = k + (hx >> 20) - 1023
    i: int = 0
    if k < 0:
        i = 1
    x = with_high_word(x, (hx & 0x000FFFFF) | ((0x3FF - i) << 20))
    y: float = float(k + i)
    z: float = y * _LOG10_2LO + _IVLN10 * log(x)
    return z + y * _LOG10_2HI


def log1p(x: float) -> float:
    """log(1 + x), accurate for x near 0; -inf at -1, nan below (fdlibm ``s_log1p.c``)."""
    hx: int = high_word(x)
    ax: int = hx & 0x7FFFFFFF
    k: int = 1
    f: float = 0.0
    c: float = 0.0
    hu: int = 0
    if hx < 0x3FDA827A:  # x < 0.41422 (this includes every negative x)
        if ax >= 0x3FF00000 or x != x:  # x <= -1, or nan
            if x != x:
                return x
            if x == -1.0:
                return -infinity()
            return nan()
        if ax < 0x3E200000:  # |x| < 2**-29
            if ax < 0x3C900000:  # |x| < 2**-54: log1p(x) rounds to x
                return x
            return x - x * x * 0.5
        if hx > 0 or hx <= -1076707645:  # (int32) 0xBFD2BEC3: -0.2929 < x < 0.41422
            k = 0
            f = x
            hu = 1
    elif hx >= 0x7FF00000:
        return x + x  # +inf or nan
    u: float = 0.0
    if k != 0:
        if hx < 0x43400000:
            u = 1.0 + x
            hu = high_word(u)
            k = (hu >> 20) - 1023
            if k > 0:  # correction term for the rounding of 1 + x
                c = 1.0 - (u - x)
            else:
                c = x - (u - 1.0)
            c = c / u
        else:
            u = x
            hu = high_word(u)
            k = (hu >> 20) - 1023
            c = 0.0
        hu = hu & 0x000FFFFF
        if hu < 0x6A09E:  # u ~< √2: normalise u
            u = with_high_word(u, hu | 0x3FF00000)
        else:  # normalise u/2
            k = k + 1
            u = with_high_word(u, hu | 0x3FE00000)
            hu = (0x00100000 - hu) >> 2
        f = u - 1.0
    hfsq: float = 0.5 * f * f
    dk: float = float(k)
    r: float = 0.0
    if hu == 0:  # |f| < 2**-20
        if f == 0.0:
            if k == 0:
                return 0.0
            c = c + dk * _LN2_LO
            return dk * _LN2_HI + c
        r = hfsq * (1.0 - 0.66666666666666666 * f)
        if k == 0:
            return f - r
        return dk * _LN2_HI - ((r - (dk * _LN2_LO + c)) - f)
    s: float = f / (2.0 + f)
    z: float = s * s
    # R(z) by Estrin's scheme, in glibc's order
    z2: float = z * z
    z4: float = z2 * z2
    z6: float = z4 * z2
    r = z * _LG1 + z2 * (_LG2 + z * _LG3) + z4 * (_LG4 + z * _LG5) + z6 * (_LG6 + z * _LG7)
    if k == 0:
        return f - (hfsq - s * (hfsq + r))
    return dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + (dk * _LN2_LO + c))) - f)
