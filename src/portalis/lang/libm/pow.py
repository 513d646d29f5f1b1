"""pow with C99/CPython special cases (FreeBSD msun ``e_pow.c``; Sun Microsystems fdlibm, as
carried into musl before its 2018 table-driven rewrite).

Method: log2(|x|) is computed as t1 + t2 in extra precision (about 20 extra bits) from
s = (x - b)/(x + b) with b = 1 or 1.5, multiplied by y split into head and tail, and
2**(y·log2 x) is evaluated like ``exp``. Integer powers of integers are exact when
representable.

Special cases (C99 Annex F, which CPython's math.pow follows before raising):
pow(x, ±0) = 1 even for nan x; pow(1, y) = 1 even for nan y; pow(-1, ±inf) = 1;
pow(x, ±inf) = +inf or +0 depending on |x| versus 1; pow(±0, y < 0) = ±inf (CPython: ValueError);
pow(x < 0, non-integer y) = nan (CPython: ValueError); overflow gives ±inf.
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

import math

from portalis.lang.libm._dd import product_error
from portalis.lang.libm._ieee import (
    clear_low_word,
    from_words,
    high_word,
    infinity,
    low_word,
    nan,
    scalbn,
)

_BP1: float = 1.5
_DP_H1: float = 0.5849624872207642  # 0x3FE2B80340000000: log2(1.5) head
_DP_L1: float = 1.350039202129749e-08  # 0x3E4CFDEB43CFD006: log2(1.5) tail
_TWO53: float = 9007199254740992.0  # 0x4340000000000000
_HUGE: float = 1.0e300
_TINY: float = 1.0e-300
# (3/2)·(log(x) - 2s - 2/3·s³) ≈ s⁴·(L1 + L2·s² + …)
_L1: float = 0.5999999999999946  # 0x3FE3333333333303
_L2: float = 0.4285714285785502  # 0x3FDB6DB6DB6FABFF
_L3: float = 0.33333332981837743  # 0x3FD55555518F264D
_L4: float = 0.272728123808534  # 0x3FD17460A91D4101
_L5: float = 0.23066074577556175  # 0x3FCD864A93C9DB65
_L6: float = 0.20697501780033842  # 0x3FCA7E284A454EEF
_P1: float = 0.16666666666666602  # 0x3FC555555555553E
_P2: float = -0.0027777777777015593  # 0xBF66C16C16BEBD93
_P3: float = 6.613756321437934e-05  # 0x3F11566AAF25DE2C
_P4: float = -1.6533902205465252e-06  # 0xBEBBBD41C5D26BF1
_P5: float = 4.1381367970572385e-08  # 0x3E66376972BEA4D0
_LG2: float = 0.6931471805599453  # 0x3FE62E42FEFA39EF
_LG2_H: float = 0.6931471824645996  # 0x3FE62E4300000000
_LG2_L: float = -1.904654299957768e-09  # 0xBE205C610CA86C39
_OVT: float = 8.008566259537294e-17  # -(1024 - log2(ovfl + 0.5ulp))
_CP: float = 0.9617966939259756  # 0x3FEEC709DC3A03FD: 2/(3·ln2)
_CP_H: float = 0.9617967009544373  # 0x3FEEC709E0000000
_CP_L: float = -7.028461650952758e-09  # 0xBE3E2FE0145B01F5
_IVLN2: float = 1.4426950408889634  # 0x3FF71547652B82FE
_IVLN2_H: float = 1.4426950216293335  # 0x3FF7154760000000
_IVLN2_L: float = 1.9259629911266175e-08  # 0x3E54AE0BF85DDF44


def _integer_kind(hy: int, ly: int) -> int:
    """0 if y is not an integer, 1 if an odd integer, 2 if an even integer (y finite or inf)."""
    iy: int = hy & 0x7FFFFFFF
    if iy >= 0x43400000:  # |y| >= 2**53: every such double is even
        return 2
    if iy >= 0x3FF00000:
        k: int = (iy >> 20) - 0x3FF  # unbiased exponent
        j: int = 0
        if k > 20:
            j = ly >> (52 - k)
            if (j << (52 - k)) == ly:
                return 2 - (j & 1)
        elif ly == 0:
            j = iy >> (20 - k)
            if (j << (20 - k)) == iy:
                return 2 - (j & 1)
    return 0


def pow(x: float, y: float) -> float:
    """x raised to the power y."""
    hx: int = high_word(x)
    lx: int = low_word(x)
    hy: int = high_word(y)
    ly: int = low_word(y)
    ix: int = hx & 0x7FFFFFFF
    iy: int = hy & 0x7FFFFFFF

    if (iy | ly) == 0:  # x**0 = 1, even if x is nan
        return 1.0
    if hx == 0x3FF00000 and lx == 0:  # 1**y = 1, even if y is nan
        return 1.0
    if x != x or y != y:
        return x + y

    yisint: int = 0
    if hx < 0:
        yisint = _integer_kind(hy, ly)

    if ly == 0:  # special values of y
        if iy == 0x7FF00000:  # y is ±inf
            if ((ix - 0x3FF00000) | lx) == 0:  # (-1)**±inf = 1
                return 1.0
            if ix >= 0x3FF00000:  # (|x| > 1)**±inf = inf, 0
                if hy >= 0:
                    return y
                return 0.0
            if hy >= 0:  # (|x| < 1)**±inf = 0, inf
                return 0.0
            return -y
        if iy == 0x3FF00000:  # y is ±1
            if hy >= 0:
                return x
            if x == 0.0:
                return math.copysign(infinity(), x)
            return 1.0 / x
        if hy == 0x40000000:  # y is 2
            return x * x
        if hy == 0x3FE00000 and hx >= 0:  # y is 0.5 and x >= +0
            return math.sqrt(x)

    ax: float = math.fabs(x)
    if lx == 0 and (ix == 0x7FF00000 or ix == 0 or ix == 0x3FF00000):  # x is ±0, ±inf, ±1
        z: float = ax
        if hy < 0:  # z = 1/|x|
            if ix == 0:
                z = infinity()
            else:
                z = 1.0 / z
        if hx < 0:
            if ((ix - 0x3FF00000) | yisint) == 0:
                return nan()  # (-1)**non-integer
            if yisint == 1:
                z = -z  # (x < 0)**odd = -(|x|**odd)
        return z

    s: float = 1.0  # sign of the result
    if hx < 0:
        if yisint == 0:  # (x < 0)**non-integer
            return nan()
        if yisint == 1:  # (x < 0)**odd integer
            s = -1.0

    t1: float = 0.0
    t2: float = 0.0
    if iy > 0x41E00000:  # |y| > 2**31
        if iy > 0x43F00000:  # |y| > 2**64: must over- or underflow
            if ix <= 0x3FEFFFFF:
                if hy < 0:
                    return _HUGE * _HUGE
                return _TINY * _TINY
            if hy > 0:
                return _HUGE * _HUGE
            return _TINY * _TINY
        # over/underflow unless x is close to 1
        if ix < 0x3FEFFFFF:
            if hy < 0:
                return s * _HUGE * _HUGE
            return s * _TINY * _TINY
        if ix > 0x3FF00000:
            if hy > 0:
                return s * _HUGE * _HUGE
            return s * _TINY * _TINY
        # |1 - x| <= 2**-20: log(x) by x - x²/2 + x³/3 - x⁴/4
        t: float = ax - 1.0  # t has 20 trailing zeros
        w: float = (t * t) * (0.5 - t * (0.3333333333333333333333 - t * 0.25))
        # fdlibm assumes ivln2_h·t is exact; it has 24 + 32 bits, so keep its rounding error
        # (without it, pow(1 + 2**-23, 2**31.5) is off by hundreds of ulps).
        u: float = _IVLN2_H * t
        v: float = (t * _IVLN2_L - w * _IVLN2) + product_error(_IVLN2_H, t, u)
        t1 = clear_low_word(u + v)
        t2 = v - (t1 - u)
    else:
        t1, t2 = _log2_extended(ax, ix)

    # split y into y1 + y2 and compute (y1 + y2)·(t1 + t2)
    y1: float = clear_low_word(y)
    p_l: float = (y - y1) * t1 + y * t2
    p_h: float = y1 * t1
    z2: float = p_l + p_h
    j: int = high_word(z2)
    i: int = low_word(z2)
    if j >= 0x40900000:  # z >= 1024
        if ((j - 0x40900000) | i) != 0:  # z > 1024
            return s * _HUGE * _HUGE
        if p_l + _OVT > z2 - p_h:
            return s * _HUGE * _HUGE
    elif (j & 0x7FFFFFFF) >= 0x4090CC00:  # z <= -1075
        if ((j - (0x4090CC00 - 0x80000000)) | i) != 0:  # z < -1075
            return s * _TINY * _TINY
        if p_l <= z2 - p_h:
            return s * _TINY * _TINY
    return s * _exp2_extended(p_h, p_l, j)


def _log2_extended(ax: float, ix: int) -> tuple[float, float]:
    """log2(ax) as t1 + t2 with t1 having 21 trailing zero bits, for 0 < ax < inf."""
    n: int = 0
    if ix < 0x00100000:  # subnormal x
        ax = ax * _TWO53
        n = -53
        ix = high_word(ax)
    n = n + (ix >> 20) - 0x3FF
    j: int = ix & 0x000FFFFF
    ix = j | 0x3FF00000  # normalize ix
    k: int = 0
    if j <= 0x3988E:  # |x| < √(3/2)
        k = 0
    elif j < 0xBB67A:  # |x| < √3
        k = 1
    else:
        k = 0
        n = n + 1
        ix = ix - 0x00100000
    ax = from_words(ix, low_word(ax))
    bp: float = 1.0
    dp_h: float = 0.0
    dp_l: float = 0.0
    if k == 1:
        bp = _BP1
        dp_h = _DP_H1
        dp_l = _DP_L1

    # ss = s_h + s_l = (x - 1)/(x + 1) or (x - 1.5)/(x + 1.5)
    u: float = ax - bp
    v: float = 1.0 / (ax + bp)
    ss: float = u * v
    s_h: float = clear_low_word(ss)
    t_h: float = from_words(((ix >> 1) | 0x20000000) + 0x00080000 + (k << 18), 0)  # ax + bp
    t_l: float = ax - (t_h - bp)
    s_l: float = v * ((u - s_h * t_h) - s_h * t_l)
    # log(ax)
    s2: float = ss * ss
    r: float = s2 * s2 * (_L1 + s2 * (_L2 + s2 * (_L3 + s2 * (_L4 + s2 * (_L5 + s2 * _L6)))))
    r = r + s_l * (s_h + ss)
    s2 = s_h * s_h
    t_h = clear_low_word(3.0 + s2 + r)
    t_l = r - ((t_h - 3.0) - s2)
    # u + v = ss·(1 + …)
    u = s_h * t_h
    v = s_l * t_h + t_l * ss
    # 2/(3·log2)·(ss + …)
    p_h: float = clear_low_word(u + v)
    p_l: float = v - (p_h - u)
    z_h: float = _CP_H * p_h  # cp_h + cp_l = 2/(3·log2)
    z_l: float = _CP_L * p_h + p_l * _CP + dp_l
    # log2(ax) = (ss + …)·2/(3·log2) = n + dp_h + z_h + z_l
    t: float = float(n)
    t1: float = clear_low_word(((z_h + z_l) + dp_h) + t)
    t2: float = z_l - (((t1 - t) - dp_h) - z_h)
    return (t1, t2)


def _exp2_extended(p_h: float, p_l: float, j: int) -> float:
    """2**(p_h + p_l), where j is the high word of p_h + p_l (known not to over/underflow)."""
    i: int = j & 0x7FFFFFFF
    k: int = (i >> 20) - 0x3FF
    n: int = 0
    if i > 0x3FE00000:  # |z| > 0.5: n = nearest integer to z
        n = j + (0x00100000 >> (k + 1))
        k = ((n & 0x7FFFFFFF) >> 20) - 0x3FF  # new k for n
        t0: float = from_words(n & ~(0x000FFFFF >> k), 0)
        n = ((n & 0x000FFFFF) | 0x00100000) >> (20 - k)
        if j < 0:
            n = -n
        p_h = p_h - t0
    t: float = clear_low_word(p_l + p_h)
    u: float = t * _LG2_H
    v: float = (p_l - (t - p_h)) * _LG2 + t * _LG2_L
    z: float = u + v
    w: float = v - (z - u)
    t = z * z
    t1: float = z - t * (_P1 + t * (_P2 + t * (_P3 + t * (_P4 + t * _P5))))
    r: float = (z * t1) / (t1 - 2.0) - (w + z * w)
    z = 1.0 - (r - z)
    hz: int = high_word(z) + (n << 20)
    if (hz >> 20) <= 0:  # subnormal result
        return scalbn(z, n)
    return from_words(hz, low_word(z))
