"""log, log1p, log2 and log10 with C semantics (FreeBSD msun ``e_log.c``, ``s_log1p.c``,
``e_log2.c``, ``e_log10.c``; Sun Microsystems fdlibm, with Bruce D. Evans's extra-precision
combining steps for log2/log10, as carried into musl).

All reduce x = 2**k·(1 + f) with √2/2 < 1 + f < √2 and approximate log(1 + f) through
s = f/(2 + f): log(1 + f) = 2s + s·R(s²), R a Remez polynomial (error < 2**-58.45). log2 and
log10 then scale log(1 + f) by 1/ln2 or 1/ln10 and add k·log_b(2) in split precision to avoid
cancellation near x = 1, √2 and √2/2. log(0) = -inf, log(x < 0) = nan, log(+inf) = +inf.
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._ieee import clear_low_word, high_word, infinity, low_word, nan

_LN2_HI: float = 0.6931471803691238  # 0x3FE62E42FEE00000
_LN2_LO: float = 1.9082149292705877e-10  # 0x3DEA39EF35793C76
_TWO54: float = 1.8014398509481984e16  # 0x4350000000000000
_IVLN2_HI: float = 1.4426950407214463  # 0x3FF7154765200000
_IVLN2_LO: float = 1.6751713164886512e-10  # 0x3DE705FC2EEFA200
_IVLN10_HI: float = 0.4342944818781689  # 0x3FDBCB7B15200000
_IVLN10_LO: float = 2.5082946711645275e-11  # 0x3DBB9438CA9AADD5
_LOG10_2HI: float = 0.30102999566361177  # 0x3FD34413509F6000
_LOG10_2LO: float = 3.694239077158931e-13  # 0x3D59FEF311F12B36

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


def log(x: float) -> float:
    """Natural logarithm of x."""
    hx: int = high_word(x)
    k: int = 0
    if hx < 0x00100000 or hx >= 0x7FF00000:  # zero, subnormal, negative, inf or nan
        if x == 0.0 or hx < 0 or hx >= 0x7FF00000:
            return _special(x, hx)
        k = -54  # subnormal: scale up
        x = x * _TWO54
        hx = high_word(x)
    k = k + (hx >> 20) - 1023
    hx = hx & 0x000FFFFF
    i: int = (hx + 0x95F64) & 0x100000
    x = bits_to_float(((hx | (i ^ 0x3FF00000)) << 32) | low_word(x))  # normalize x or x/2
    k = k + (i >> 20)
    f: float = x - 1.0
    dk: float = float(k)
    if (0x000FFFFF & (2 + hx)) < 3:  # -2**-20 <= f < 2**-20
        if f == 0.0:
            if k == 0:
                return 0.0
            return dk * _LN2_HI + dk * _LN2_LO
        r0: float = f * f * (0.5 - 0.33333333333333333 * f)
        if k == 0:
            return f - r0
        return dk * _LN2_HI - ((r0 - dk * _LN2_LO) - f)
    s: float = f / (2.0 + f)
    r: float = _log_r(s)
    if ((hx - 0x6147A) | (0x6B851 - hx)) > 0:  # larger f: the f - hfsq form loses less
        hfsq: float = 0.5 * f * f
        if k == 0:
            return f - (hfsq - s * (hfsq + r))
        return dk * _LN2_HI - ((hfsq - (s * (hfsq + r) + dk * _LN2_LO)) - f)
    if k == 0:
        return f - s * (f - r)
    return dk * _LN2_HI - ((s * (f - r) - dk * _LN2_LO) - f)


def _reduce(x: float) -> tuple[float, float]:
    """(k, f) with x = 2**k·(1 + f), √2/2 < 1 + f < √2, for positive finite normal-or-scaled x.

    Returns k as a float. Subnormals are scaled by 2**54 first.
    """
    bits: int = float_to_bits(x)
    hx: int = bits >> 32
    k: int = 0
    if hx < 0x00100000:  # subnormal
        k = -54
        x = x * _TWO54
        bits = float_to_bits(x)
        hx = bits >> 32
    hx = hx + 0x3FF00000 - 0x3FE6A09E
    k = k + (hx >> 20) - 0x3FF
    hx = (hx & 0x000FFFFF) + 0x3FE6A09E
    x = bits_to_float((hx << 32) | (bits & 0xFFFFFFFF))
    return (float(k), x - 1.0)


def log2(x: float) -> float:
    """Base-2 logarithm of x; exact for powers of two."""
    hx: int = high_word(x)
    if x == 0.0 or hx < 0 or hx >= 0x7FF00000:
        return _special(x, hx)
    if x == 1.0:
        return 0.0
    y, f = _reduce(x)
    hfsq: float = 0.5 * f * f
    s: float = f / (2.0 + f)
    r: float = s * (hfsq + _log_r(s))  # log(1 + f) = f - hfsq + r
    # f - hfsq in extra precision: hi has 20 trailing zero bytes, so hi·ivln2_hi is exact.
    hi: float = clear_low_word(f - hfsq)
    lo: float = (f - hi) - hfsq + r
    val_hi: float = hi * _IVLN2_HI
    val_lo: float = (lo + hi) * _IVLN2_LO + lo * _IVLN2_HI
    # add k exactly (Dekker), which matters near √2 and √2/2
    w: float = y + val_hi
    val_lo = val_lo + ((y - w) + val_hi)
    return val_lo + w


def log10(x: float) -> float:
    """Base-10 logarithm of x."""
    hx: int = high_word(x)
    if x == 0.0 or hx < 0 or hx >= 0x7FF00000:
        return _special(x, hx)
    if x == 1.0:
        return 0.0
    dk, f = _reduce(x)
    hfsq: float = 0.5 * f * f
    s: float = f / (2.0 + f)
    r: float = _log_r(s)
    hi: float = clear_low_word(f - hfsq)
    lo: float = f - hi - hfsq + s * (hfsq + r)
    val_hi: float = hi * _IVLN10_HI
    y: float = dk * _LOG10_2HI
    val_lo: float = dk * _LOG10_2LO + (lo + hi) * _IVLN10_LO + lo * _IVLN10_HI
    w: float = y + val_hi
    val_lo = val_lo + ((y - w) + val_hi)
    return val_lo + w


def log1p(x: float) -> float:
    """log(1 + x), accurate for x near 0; -inf at -1, nan below."""
    hx: int = high_word(x)
    k: int = 1
    c: float = 0.0
    f: float = 0.0
    if hx < 0x3FDA827A:  # 1 + x < √2+ (this includes every negative x)
        if x <= -1.0 or x != x:
            if x == -1.0:
                return -infinity()
            if x != x:
                return x
            return nan()
        if (hx & 0x7FFFFFFF) < 0x3CA00000:  # |x| < 2**-53: log1p(x) rounds to x
            return x
        if hx > 0 or (hx & 0x7FFFFFFF) <= 0x3FD2BEC4:  # √2/2- <= 1 + x < √2+
            k = 0
            f = x
    elif hx >= 0x7FF00000:
        return x  # +inf or nan
    if k != 0:
        u: float = 1.0 + x
        bits: int = float_to_bits(u)
        hu: int = (bits >> 32) + 0x3FF00000 - 0x3FE6A09E
        k = (hu >> 20) - 0x3FF
        if k < 54:  # correction term ~ log(1 + x) - log(u)
            if k >= 2:
                c = 1.0 - (u - x)
            else:
                c = x - (u - 1.0)
            c = c / u
        hu = (hu & 0x000FFFFF) + 0x3FE6A09E
        f = bits_to_float((hu << 32) | (bits & 0xFFFFFFFF)) - 1.0
    hfsq: float = 0.5 * f * f
    s: float = f / (2.0 + f)
    r: float = _log_r(s)
    dk: float = float(k)
    return s * (hfsq + r) + (dk * _LN2_LO + c) - hfsq + f + dk * _LN2_HI
