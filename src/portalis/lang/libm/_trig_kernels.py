"""Kernels of sin, cos and tan on |y| < 0.8555, computed to ~2**-68 relative and then rounded
the way glibc's (CPython's ``math`` on Linux) last step rounds, so results are bit-identical to
glibc's on ≥ 99.9% of inputs (sin, cos) and correct to within 1 ulp on all.

Method (our formulation of the classic table-driven scheme): the reduced argument y = yh + yl
is split as y = a + d with a = i/128 the nearest table point and |d| <= ~1/256; then

    sin(a + d) = sin a + cos a · d + sin a · (cos d - 1) + cos a · (sin d - d)
    cos(a + d) = cos a - sin a · d + cos a · (cos d - 1) - sin a · (sin d - d)

with sin a and cos a as double-doubles (``_sincos_data``). The leading product is exact
(Dekker), everything else is small (|cos d - 1| <= 2**-17, |sin d - d| <= 2**-26·|d|), so
short Taylor polynomials in plain doubles reach ~2**-70. yh - a is exact (Sterbenz).

Rounding: glibc (``sysdeps/ieee754/dbl-64/s_sin.c``, IBM's table method) returns the table
value H (or yh itself for sin below 0.126) plus a correction rounded to a double, i.e. it
rounds twice. That double rounding is what makes it miss the correctly rounded result on
~0.15% of inputs; forming V - H from our accurate V and rounding the same two times lands on
glibc's double except where glibc's correction is itself off by an ulp of the correction
(~0.03%). Correct rounding instead would differ from glibc on ~0.15%. tan follows glibc's
tan (``s_tan.c``) the same way, with heads tan(k/256) and cot(k/256): its correction term
carries larger errors, so tan agrees on ~99.85%.

Speed (Ziv's method): below 0.126, where sin's head is the argument itself, sin first sums
its Taylor series in plain doubles (no table, ~97% of arguments); above 0.0608 tan first
forms its correction in plain doubles with a proven error bound and returns when every value
within the bound rounds to the same double (~91% of arguments); only the rest take the
double-double path (``_tan_fast``).
"""

from __future__ import annotations

import math

from portalis.lang.libm._bits import float_to_bits
from portalis.lang.libm._dd import product_error, sum_error
from portalis.lang.libm._sincos_data import (
    _COS_HI,
    _COS_LO,
    _COT_K256,
    _SIN_HI,
    _SIN_LO,
    _TAN_K256,
)
from portalis.lang.libm._tan_data import _COT_K256_LO, _TAN_K256_LO

# Taylor coefficients of sin d - d and cos d - 1 (|d| <= 2**-8: the next terms are < 2**-78).
_S3: float = -0.16666666666666666  # -1/3!
_S5: float = 0.008333333333333333  # 1/5!
_S7: float = -0.0001984126984126984  # -1/7!
_S9: float = 2.7557319223985893e-06  # 1/9!
_S11: float = -2.505210838544172e-08  # -1/11!
_C4: float = 0.041666666666666664  # 1/4!
_C6: float = -0.001388888888888889  # -1/6!
_TWO52: float = 4503599627370496.0  # 2**52: an integer below it added sits in the low bits
_GRID: float = 52776558133248.0  # 1.5 * 2**45: adding and subtracting it rounds to 1/128
# Taylor coefficients of tan d - d over d³ (|d| <= 2**-9: the next term is < 2**-76·|d|).
_T3: float = 0.3333333333333333  # 1/3
_T5: float = 0.13333333333333333  # 2/15
_T7: float = 0.05396825396825397  # 17/315
_ZIV_REL: float = 8.881784197001252e-16  # 2**-50: bounds the fast correction's error
_ZIV_TINY: float = 1e-300  # an absolute floor (reduced arguments are never below ~2**-61)
_ZIV_ABS: float = 7.888609052210118e-31  # 2**-100: bounds the tables' own error


def kernel_sin(yh: float, yl: float) -> float:
    """sin(yh + yl) for |yh| < 0.8555, yl the tail of yh, rounded as glibc rounds it.

    The exact value V is split as H + C with H the table's sin(a) (or yh itself when |yh| <
    0.126, where glibc uses a Taylor series), C is rounded to a double, then H + C is
    rounded: the same two roundings as glibc's last step, so both agree even where that
    step misses the correctly rounded value (about one input in 700).
    """
    sign: float = math.copysign(1.0, yh)  # branch-free: the sign of a reduced argument is
    yh = math.fabs(yh)  # as good as random, and a mispredicted branch costs more than this
    yl = yl * sign
    if yh < 0.126:  # glibc's head is yh itself: try the table-free fast path first
        small: float = _sin_small(yh, yl)
        if small == small:
            return sign * small
    a: float = (yh + _GRID) - _GRID  # yh rounded to a multiple of 1/128, ties to even
    i: int = float_to_bits(a * 128.0 + _TWO52) & 127  # a·128 exactly, masked: no check
    dh: float = yh - a  # exact
    d: float = dh + yl
    z: float = d * d
    sin_m_d: float = d * z * (_S3 + z * (_S5 + z * _S7))
    cos_m_1: float = z * (-0.5 + z * (_C4 + z * _C6))
    sh: float = _SIN_HI[i]
    ch: float = _COS_HI[i]
    h: float = sh
    if yh < 0.126:
        h = yh
    p: float = ch * dh
    u: float = sh - h  # exact (Sterbenz, or 0)
    c: float = u + p
    rest: float = sum_error(u, p, c) + product_error(ch, dh, p)
    rest = rest + (_SIN_LO[i] + (_COS_LO[i] * dh + ch * yl) + (sh * cos_m_1 + ch * sin_m_d))
    return sign * (h + (c + rest))


def _sin_small(yh: float, yl: float) -> float:
    """sin(yh + yl) for 0 <= yh < 0.126 rounded as ``kernel_sin``'s exact path rounds it
    there, fl(yh + fl(V - yh)), or nan when that rounding is not certain (~2%; Ziv's method).

    V - yh = (sin yh - yh) + yl·cos yh: the Taylor series through yh¹¹ leaves < 2**-70·yh,
    the cubic term in plain doubles is within ~3 ulps of itself, and yl·cos yh differs
    from yl by at most |yl|·z/2. No table, index or product error is needed, so this costs
    about half the exact path. eps bounds the error with room to spare; the result is the
    exact path's when every value within eps of c rounds to the same double.
    """
    z: float = yh * yh
    cubic: float = yh * z * (_S3 + z * (_S5 + z * (_S7 + z * (_S9 + z * _S11))))
    c: float = yl + cubic
    eps: float = (math.fabs(cubic) + math.fabs(c)) * _ZIV_REL + math.fabs(yl) * z + _ZIV_TINY
    low: float = yh + (c - eps)
    if low == yh + (c + eps):
        return low
    return math.nan


def kernel_cos(yh: float, yl: float) -> float:
    """cos(yh + yl) for |yh| < 0.8555, yl the tail of yh, rounded as glibc rounds it:
    the table's cos(a) plus the correction rounded to a double (see ``kernel_sin``)."""
    yl = yl * math.copysign(1.0, yh)  # cos is even: |yh| and the tail with yh's sign off
    yh = math.fabs(yh)
    a: float = (yh + _GRID) - _GRID
    i: int = float_to_bits(a * 128.0 + _TWO52) & 127  # a·128 exactly, masked: no check
    dh: float = yh - a  # exact
    d: float = dh + yl
    z: float = d * d
    sin_m_d: float = d * z * (_S3 + z * (_S5 + z * _S7))
    cos_m_1: float = z * (-0.5 + z * (_C4 + z * _C6))
    sh: float = _SIN_HI[i]
    ch: float = _COS_HI[i]
    p: float = sh * dh
    rest: float = (_COS_LO[i] - (_SIN_LO[i] * dh + sh * yl)) + (ch * cos_m_1 - sh * sin_m_d)
    rest = rest - product_error(sh, dh, p)
    return ch + (rest - p)


def kernel_tan(yh: float, yl: float, odd: int, reduced: int) -> float:
    """tan(yh + yl) if ``odd`` is 0, else -1/tan(yh + yl); |yh| <= 0.787, yl the tail of yh;
    ``reduced`` is 0 for an argument glibc does not reduce (|x| <= 0.787), else 1.

    sin and cos of y are formed as double-doubles as above, and divided in double-double
    (one quotient, its exact remainder, one correction), which keeps ~2**-67 relative.
    """
    sign: float = math.copysign(1.0, yh)  # branch-free: the sign of a reduced argument is
    yh = math.fabs(yh)  # as good as random, and a mispredicted branch costs more than this
    yl = yl * sign
    if yh > 0.0608:
        fast: float = _tan_fast(yh, yl, odd)
        if fast == fast:  # not nan: the fast path's rounding is certain
            return sign * fast
    a: float = (yh + _GRID) - _GRID
    i: int = float_to_bits(a * 128.0 + _TWO52) & 127  # a·128 exactly, masked: no check
    dh: float = yh - a  # exact
    d: float = dh + yl
    z: float = d * d
    sin_m_d: float = d * z * (_S3 + z * (_S5 + z * _S7))
    cos_m_1: float = z * (-0.5 + z * (_C4 + z * _C6))
    sh: float = _SIN_HI[i]
    ch: float = _COS_HI[i]
    sl: float = _SIN_LO[i]
    cl: float = _COS_LO[i]
    p: float = ch * dh
    s: float = sh + p
    lo: float = sum_error(sh, p, s) + product_error(ch, dh, p)
    lo = lo + (sl + (cl * dh + ch * yl) + (sh * cos_m_1 + ch * sin_m_d))
    num_hi: float = s + lo
    num_lo: float = lo - (num_hi - s)
    p = sh * dh
    s = ch - p
    lo = sum_error(ch, -p, s) - product_error(sh, dh, p)
    lo = lo + (cl - (sl * dh + sh * yl) + (ch * cos_m_1 - sh * sin_m_d))
    den_hi: float = s + lo
    den_lo: float = lo - (den_hi - s)
    if odd == 1:  # -cos/sin: swap, the sign goes on the quotient
        s = num_hi
        num_hi = den_hi
        den_hi = s
        s = num_lo
        num_lo = den_lo
        den_lo = s
        sign = -sign
    q: float = num_hi / den_hi
    r: float = (num_hi - q * den_hi) - product_error(q, den_hi, q * den_hi)
    t_lo: float = (r + (num_lo - q * den_lo)) / den_hi  # the quotient is q + t_lo
    # glibc's last step: a head H (yh below 0.0608, else tan or cot of the nearest k/256)
    # plus the correction rounded to a double; q - H is exact (Sterbenz).
    if yh <= 0.0608:
        if odd == 1 or reduced == 0:  # glibc divides, or adds x·x²·P(x²) with one FMA:
            return sign * (q + t_lo)  # its result is the rounded quotient or sum
        return sign * (yh + ((q - yh) + t_lo))  # the tail da + y³·P(y²) rounded first
    k: int = (int(yh * 256.0 + 0.5) - 16) & 255  # in 0..185; the mask drops the check
    h: float = _TAN_K256[k]
    if odd == 1:
        h = _COT_K256[k]
    return sign * (h + ((q - h) + t_lo))


def _tan_fast(yh: float, yl: float, odd: int) -> float:
    """tan(yh + yl) (``odd`` 0) or -cot(yh + yl) (``odd`` 1) for 0.0608 < yh <= 0.787, rounded
    exactly as ``kernel_tan``'s exact path rounds it, or nan when that rounding is not certain
    (a few percent of arguments; the caller then takes the exact path: Ziv's method).

    With a = k/256 the nearest table point, T = tan a, C = cot a and p = tan(y - a),
    tan y = T + p·(C + T)/(C - p) and cot y = C - p·(T + C)/(T + p). The correction t2 is
    small (|p| <= ~2**-9), so plain doubles give it to ~5 ulps of itself (each of p, C + T,
    C - p, ·, / adds at most ~1 ulp) and the heads' tails T_lo, C_lo complete it. The exact
    path returns fl(H + fl(V - H)) for the exact value V and head H = T or C, a monotone
    function of V; every V within ε = 2**-50·(|t2| + |s|) of the fast estimate s of V - H
    gives the same double when H + fl(s - ε) == H + fl(s + ε), and then that is the result.

    tan and cot are chosen by exact arithmetic (products with 0 and 1, signs ±1), not by a
    branch: ``odd`` alternates unpredictably between arguments.
    """
    k: int = (int(yh * 256.0 + 0.5) - 16) & 255  # in 0..185; the mask drops the check
    a: float = float(k + 16) * 0.00390625  # k/256, exact
    d: float = (yh - a) + yl  # yh - a is exact (Sterbenz)
    z: float = d * d
    p: float = d + d * z * (_T3 + z * (_T5 + z * _T7))
    t: float = _TAN_K256[k]
    c: float = _COT_K256[k]
    is_odd: float = float(odd)
    is_even: float = 1.0 - is_odd
    q: float = is_even - is_odd  # 1 for tan, -1 for -cot
    h: float = t * is_even + c * is_odd  # T or C
    other: float = c * is_even + t * is_odd  # C or T
    t2: float = p * (c + t) / (other - q * p)  # (C - p) or (T + p) below
    s: float = (_TAN_K256_LO[k] * is_even + _COT_K256_LO[k] * is_odd) + q * t2
    eps: float = (math.fabs(t2) + math.fabs(s)) * _ZIV_REL + h * _ZIV_ABS
    low: float = h + (s - eps)
    if low == h + (s + eps):
        return q * low
    return math.nan
