"""pow with C99/CPython special cases (Arm optimized-routines ``pow``, Szabolcs Nagy 2018 —
the algorithm glibc 2.28+ and musl ship; worst-case error 0.54 ulp).

Method: log(|x|) = k·ln2 + log(c) + log1p(z/c - 1) from a 128-entry table, carried as hi + lo
with about 15 extra bits; y·log|x| is formed as ehi + elo with the product's exact error; and
e**(ehi + elo) is evaluated like ``exp`` (the shared 2**(j/128) table), with the sign of the
result applied last for negative x and odd integer y.

Special cases (C99 Annex F, which CPython's math.pow follows before raising):
pow(x, ±0) = 1 even for nan x; pow(1, y) = 1 even for nan y; pow(-1, ±inf) = 1;
pow(x, ±inf) = +inf or +0 depending on |x| versus 1; pow(±0, y < 0) = ±inf (CPython:
ValueError); pow(x < 0, non-integer y) = nan (CPython: ValueError); overflow gives ±inf.
"""

from __future__ import annotations

import math

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._dd import mul_add, product_error
from portalis.lang.libm._exp_log_data import _EXP_SBITS, _EXP_TAIL
from portalis.lang.libm._ieee import infinity, nan
from portalis.lang.libm._pow_log_data import _POW_INVC, _POW_LOGC, _POW_LOGCTAIL
from portalis.lang.libm.exp import _exp_special

_ABS: int = 0x7FFFFFFFFFFFFFFF
_ONE: int = 0x3FF0000000000000  # bits of 1.0
_INF: int = 0x7FF0000000000000  # bits of +inf
_OFF: int = 0x3FE6955500000000  # z = x/2**k lies in [0x1.69555p-1, 0x1.69555p0)
_LN2HI: float = 0.6931471805598903  # 0x1.62e42fefa3800p-1
_LN2LO: float = 5.497923018708371e-14  # 0x1.ef35793c76730p-45
# log1p(r) - r ≈ A0·r² + …, scaled for the evaluation below; relative error 0x1.11922ap-70
_A0: float = -0.5
_A1: float = -0.6666666666666679
_A2: float = 0.5000000000000007
_A3: float = 0.7999999995323976
_A4: float = -0.6666666663487739
_A5: float = -1.142909628459501
_A6: float = 1.0000415263675542
# exp, as in exp.py
_INVLN2N: float = 184.6649652337873
_SHIFT: float = 6755399441055744.0
_NEGLN2HIN: float = -0.005415212348111709
_NEGLN2LON: float = -1.2864023111638346e-14
_EC2: float = 0.49999999999996786
_EC3: float = 0.16666666666665886
_EC4: float = 0.0416666808410674
_EC5: float = 0.008333335853059549


def _integer_kind(iy: int) -> int:
    """0 if the finite nonzero double with bits iy is not an integer, 1 if odd, 2 if even."""
    e: int = (iy >> 52) & 0x7FF
    if e < 0x3FF:
        return 0
    if e > 0x3FF + 52:
        return 2
    if (iy & ((1 << (0x3FF + 52 - e)) - 1)) != 0:
        return 0
    if (iy & (1 << (0x3FF + 52 - e))) != 0:
        return 1
    return 2


def _zero_inf_nan(i: int) -> bool:
    """Whether the double with bits i is ±0, ±inf or nan."""
    a: int = i & _ABS
    return a == 0 or a >= _INF


def pow(x: float, y: float) -> float:
    """x raised to the power y."""
    ix: int = float_to_bits(x)
    iy: int = float_to_bits(y)
    topx: int = (ix >> 52) & 0xFFF
    topy: int = (iy >> 52) & 0x7FF
    negative: int = 0
    # x zero, subnormal, inf, nan or negative; or |y| < 2**-65, |y| >= 2**63, y inf or nan
    if topx == 0 or topx >= 0x7FF or topy < 0x3BE or topy >= 0x43E:
        if _zero_inf_nan(iy):
            if (iy & _ABS) == 0:
                return 1.0  # x**±0 = 1, even for nan x
            if ix == _ONE:
                return 1.0  # 1**y = 1, even for nan y
            if x != x or y != y:
                return x + y
            if (ix & _ABS) == _ONE:
                return 1.0  # (-1)**±inf = 1
            if ((ix & _ABS) < _ONE) == (iy >= 0):
                return 0.0  # |x| < 1 and y = +inf, or |x| > 1 and y = -inf
            return y * y  # +inf
        if _zero_inf_nan(ix):
            x2: float = x * x
            if ix < 0 and _integer_kind(iy) == 1:
                x2 = -x2
            if iy < 0:
                if x2 == 0.0:
                    return math.copysign(infinity(), x2)  # 0**negative: pole
                return 1.0 / x2
            return x2
        # x and y are nonzero and finite
        if ix < 0:
            kind: int = _integer_kind(iy)
            if kind == 0:
                return nan()  # negative**non-integer
            if kind == 1:
                negative = 1
            ix = ix & _ABS
            topx = topx & 0x7FF
        if topy < 0x3BE or topy >= 0x43E:
            if ix == _ONE:
                return 1.0
            if topy < 0x3BE:  # |y| < 2**-65: x**y rounds to 1 ± y
                if ix > _ONE:
                    return 1.0 + y
                return 1.0 - y
            if (ix > _ONE) == (iy >= 0):  # |y| >= 2**63: overflow or underflow
                return infinity()
            return 0.0
        if topx == 0:  # subnormal x: normalise, letting the exponent go negative
            ix = (float_to_bits(x * 4503599627370496.0) & _ABS) - (52 << 52)
    hi, lo = _log_inline(ix)
    ehi: float = y * hi
    elo: float = y * lo + product_error(y, hi, ehi)  # y·(hi + lo) with the product's error
    r: float = _exp_inline(ehi, elo)
    if negative == 1:
        return -r
    return r


def _log_inline(ix: int) -> tuple[float, float]:
    """log(x) as hi + lo (about 68 bits) for x > 0 given by bits ix (subnormals prescaled)."""
    tmp: int = ix - _OFF
    i: int = (tmp >> 45) & 127
    k: int = tmp >> 52
    z: float = bits_to_float(ix - ((tmp >> 52) << 52))
    kd: float = float(k)
    # r = z/c - 1 is exactly representable: 1/c has few bits and |r| < 1/128
    r: float = mul_add(z, _POW_INVC[i], -1.0)
    # k·ln2 + log(c) + r
    t1: float = kd * _LN2HI + _POW_LOGC[i]
    t2: float = t1 + r
    lo1: float = kd * _LN2LO + _POW_LOGCTAIL[i]
    lo2: float = t1 - t2 + r
    ar: float = _A0 * r
    ar2: float = r * ar
    ar3: float = r * ar2
    hi: float = t2 + ar2
    lo3: float = product_error(ar, r, ar2)
    lo4: float = t2 - hi + ar2
    p: float = ar3 * (_A1 + r * _A2 + ar2 * (_A3 + r * _A4 + ar2 * (_A5 + r * _A6)))
    lo: float = lo1 + lo2 + lo3 + lo4 + p
    y: float = hi + lo
    return (y, hi - y + lo)


def _exp_inline(x: float, xtail: float) -> float:
    """e**(x + xtail), |xtail| tiny; the positive result (the caller applies the sign)."""
    abstop: int = (float_to_bits(x) >> 52) & 0x7FF
    special: int = 0
    if abstop < 0x3C9:  # |x| < 2**-54
        return 1.0 + x
    if abstop >= 0x408:  # |x| >= 512
        if abstop >= 0x409:  # |x| >= 1024: certain overflow or underflow
            if x < 0.0:
                return 0.0
            return infinity()
        special = 1
    kd: float = _INVLN2N * x + _SHIFT
    k: int = float_to_bits(kd) - 0x4338000000000000
    kd = kd - _SHIFT
    r: float = x + kd * _NEGLN2HIN + kd * _NEGLN2LON
    r = r + xtail
    idx: int = k & 127
    top: int = k << 45
    r2: float = r * r
    tmp: float = _EXP_TAIL[idx] + r + r2 * (_EC2 + r * _EC3) + r2 * r2 * (_EC4 + r * _EC5)
    if special == 1:
        return _exp_special(tmp, _EXP_SBITS[idx], top, k)
    scale: float = bits_to_float(_EXP_SBITS[idx] + top)
    return mul_add(scale, tmp, scale)
