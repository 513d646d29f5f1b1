"""exp and expm1 with C semantics.

exp is the table-driven algorithm of Arm's optimized-routines (Szabolcs Nagy, 2018), the one
glibc 2.28+ and musl ship, so it rounds like CPython's math.exp on those systems. expm1 is
Sun Microsystems fdlibm ``s_expm1.c`` (the version glibc ships): x = k·ln2 + r with
|r| <= ln2/2, and a rational approximation that keeps e**r - 1 accurate near 0.
Overflow returns +inf, underflow 0.
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

from portalis.lang.libm._bits import bits_to_float, float_to_bits
from portalis.lang.libm._dd import mul_add
from portalis.lang.libm._exp_log_data import _EXP_SBITS, _EXP_TAIL
from portalis.lang.libm._ieee import high_word, infinity, pow2, with_high_word
from portalis.lang.libm._scale_add import scale_add

_LN2_HI: float = 0.6931471803691238  # 0x3FE62E42FEE00000
_LN2_LO: float = 1.9082149292705877e-10  # 0x3DEA39EF35793C76
_INVLN2: float = 1.4426950408889634  # 0x3FF71547652B82FE
_O_THRESHOLD: float = 709.782712893384  # 0x40862E42FEFA39EF: above, expm1 overflows

# exp (Arm optimized-routines): N/ln2, -ln2/N in two pieces, N = 128; poly abs error 1.6·2**-66
_INVLN2N: float = 184.6649652337873  # 0x1.71547652b82fep0 * 128
_SHIFT: float = 6755399441055744.0  # 0x1.8p52: adding it rounds to an integer held in the bits
_NEGLN2HIN: float = -0.005415212348111709  # -0x1.62e42fefa0000p-8
_NEGLN2LON: float = -1.2864023111638346e-14  # -0x1.cf79abc9e3b3ap-47
_EC2: float = 0.49999999999996786  # 0x1.ffffffffffdbdp-2
_EC3: float = 0.16666666666665886  # 0x1.555555555543cp-3
_EC4: float = 0.0416666808410674  # 0x1.55555cf172b91p-5
_EC5: float = 0.008333335853059549  # 0x1.1111167a4d017p-7
# exp2 (Arm optimized-routines): abs error 1.2·2**-65 for |r| < 1/256
_EXP2_SHIFT: float = 52776558133248.0  # 0x1.8p52 / 128
_E2C1: float = 0.6931471805599453  # 0x1.62e42fefa39efp-1
_E2C2: float = 0.24022650695909065  # 0x1.ebfbdff82c424p-3
_E2C3: float = 0.0555041086686087  # 0x1.c6b08d70cf4b5p-5
_E2C4: float = 0.009618131975721055  # 0x1.3b2abd24650ccp-7
_E2C5: float = 0.0013332074570119598  # 0x1.5d7e09b4e3a84p-10
_TWO1009: float = 5.486124068793689e303  # 2**1009
_TWOM1022: float = 2.2250738585072014e-308  # 2**-1022

# expm1: scaled Q_n·2**n of R1(z) = 1 + Q1·z + … + Q5·z⁵, z = r²/2, error < 2**-61
_Q1: float = -0.03333333333333313  # 0xBFA11111111110F4
_Q2: float = 0.0015873015872548146  # 0x3F5A01A019FE5585
_Q3: float = -7.93650757867488e-05  # 0xBF14CE199EAADBB7
_Q4: float = 4.008217827329362e-06  # 0x3ED0CFCA86E65239
_Q5: float = -2.0109921818362437e-07  # 0xBE8AFDB76E09C32D


def exp(x: float) -> float:
    """e**x; +inf on overflow, 0 on underflow, nan for nan.

    Table-driven (Arm optimized-routines, as in glibc 2.28+ and musl): x = k·ln2/128 + r with
    |r| <= ln2/256, e**x = 2**(k/128)·e**r, 2**(j/128) from a 128-entry table, e**r - 1 by a
    degree-5 polynomial. Error about 0.51 ulp.
    """
    bits: int = float_to_bits(x)
    abstop: int = (bits >> 52) & 0x7FF
    special: int = 0
    if abstop < 0x3C9:  # |x| < 2**-54: e**x rounds to 1 + x
        return 1.0 + x
    if abstop >= 0x408:  # |x| >= 512, or inf or nan
        if abstop >= 0x409:  # |x| >= 1024
            if x != x:
                return x
            if bits < 0:
                return 0.0  # underflow, or -inf
            return infinity()  # overflow, or +inf
        special = 1  # the result may overflow or underflow: scale in two steps
    # e**x = 2**(k/128)·e**r, x = k·ln2/128 + r, |r| <= ln2/256
    kd: float = _INVLN2N * x + _SHIFT
    k: int = float_to_bits(kd) - 0x4338000000000000  # kd = 1.5·2**52 + k exactly
    kd = kd - _SHIFT
    r: float = x + kd * _NEGLN2HIN + kd * _NEGLN2LON
    idx: int = k & 127
    top: int = k << 45  # adds k/128 to the exponent of the table's 2**(idx/128)
    tail: float = _EXP_TAIL[idx]
    r2: float = r * r
    tmp: float = tail + r + r2 * (_EC2 + r * _EC3) + r2 * r2 * (_EC4 + r * _EC5)
    if special == 1:
        return _exp_special(tmp, _EXP_SBITS[idx], top, k)
    scale: float = bits_to_float(_EXP_SBITS[idx] + top)
    # scale·(1 + tmp) rounded once, as with an FMA (saves up to 0.25/128 ulp of error and
    # rounds like glibc's FMA build); the software FMA only near a midpoint (_scale_add.py)
    return scale_add(scale, tmp)


def _exp_special(tmp: float, sbits: int, top: int, k: int) -> float:
    """scale·(1 + tmp) where scale's exponent may leave the normal range (|x| >= 512)."""
    scale: float = 0.0
    y: float = 0.0
    if k > 0:  # may overflow: build scale/2**1009, multiply back at the end
        scale = bits_to_float((sbits - (1009 << 52)) + top)
        return _TWO1009 * mul_add(scale, tmp, scale)
    scale = bits_to_float((sbits + top) + (1022 << 52))  # scale·2**1022
    y = scale + scale * tmp
    if y < 1.0:
        # The result is subnormal: round y to its final precision before scaling, so the
        # scaling below is exact and there is no double rounding.
        lo: float = scale - y + scale * tmp
        hi: float = 1.0 + y
        lo = 1.0 - hi + y + lo
        y = (hi + lo) - 1.0
    return _TWOM1022 * y


def expm1(x: float) -> float:
    """e**x - 1, accurate for x near 0; +inf on overflow, -1 for large negative x."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x4043687A:  # |x| >= 56·ln2, or nan
        if x != x:
            return x
        if hx < 0:
            return -1.0  # e**x < 2**-56: the result rounds to -1
        if x > _O_THRESHOLD:
            return infinity()
    k: int = 0
    c: float = 0.0
    if ix > 0x3FD62E42:  # |x| > ln2/2: reduce
        hi: float = 0.0
        lo: float = 0.0
        if ix < 0x3FF0A2B2:  # and |x| < 1.5·ln2
            if hx >= 0:
                hi = x - _LN2_HI
                lo = _LN2_LO
                k = 1
            else:
                hi = x + _LN2_HI
                lo = -_LN2_LO
                k = -1
        else:
            if hx < 0:
                k = int(_INVLN2 * x - 0.5)
            else:
                k = int(_INVLN2 * x + 0.5)
            t: float = float(k)
            hi = x - t * _LN2_HI  # exact
            lo = t * _LN2_LO
        x = hi - lo
        c = (hi - x) - lo  # the rounding error of x, fed back below
    elif ix < 0x3C900000:  # |x| < 2**-54: expm1(x) rounds to x
        return x
    hfx: float = 0.5 * x
    hxs: float = x * hfx
    # R1(z) by Estrin's scheme, as fdlibm evaluates it
    h2: float = hxs * hxs
    h4: float = h2 * h2
    r1: float = (1.0 + hxs * _Q1) + h2 * (_Q2 + hxs * _Q3) + h4 * (_Q4 + hxs * _Q5)
    # The four a·b ± c steps below are rounded once (software FMA): slightly more accurate,
    # and the rounding glibc's FMA build of the same fdlibm code gives, which CPython reports.
    tt: float = mul_add(-r1, hfx, 3.0)
    e: float = hxs * ((r1 - tt) / mul_add(-x, tt, 6.0))
    if k == 0:
        return x - mul_add(x, e, -hxs)
    e = mul_add(x, e - c, -c)
    e = e - hxs
    # e**x ≈ 2**k·(x_reduced - e + 1)
    if k == -1:
        return 0.5 * (x - e) - 0.5
    if k == 1:
        if x < -0.25:
            return -2.0 * (e - (x + 0.5))
        return 1.0 + 2.0 * (x - e)
    y: float = 0.0
    if k <= -2 or k > 56:  # exp(x) - 1 is then as good as anything
        y = 1.0 - (e - x)
        return _add_to_exponent(y, k) - 1.0
    if k < 20:
        y = (1.0 - pow2(-k)) - (e - x)
    else:
        y = x - (e + pow2(-k))
        y = y + 1.0
    return _add_to_exponent(y, k)


def _add_to_exponent(y: float, k: int) -> float:
    """y·2**k by adding k to the exponent field (y normal, result finite and normal)."""
    return with_high_word(y, high_word(y) + (k << 20))


def exp2(x: float) -> float:
    """2**x; +inf on overflow, 0 on underflow, nan for nan.

    Arm optimized-routines ``exp2`` (glibc 2.28+, musl): x = k/128 + r, |r| <= 1/256,
    2**x = 2**(k/128)·2**r with the same table as exp. Error about 0.51 ulp.
    """
    bits: int = float_to_bits(x)
    abstop: int = (bits >> 52) & 0x7FF
    special: int = 0
    if abstop < 0x3C9:  # |x| < 2**-54: 2**x rounds to 1 + x
        return 1.0 + x
    if abstop >= 0x408:  # |x| >= 512, or inf or nan
        if abstop >= 0x409:  # |x| >= 1024
            if x != x:
                return x
            if bits >= 0:
                return infinity()  # overflow, or +inf
            if x <= -1075.0:
                return 0.0  # underflow, or -inf
        if (bits & 0x7FFFFFFFFFFFFFFF) > 0x408D000000000000:  # |x| > 928
            special = 1
    # 2**x = 2**(k/128)·2**r, x = k/128 + r, |r| <= 1/256
    kd: float = x + _EXP2_SHIFT
    k: int = float_to_bits(kd) - 0x42C8000000000000  # kd = 1.5·2**45 + k/128 exactly
    kd = kd - _EXP2_SHIFT
    r: float = x - kd
    idx: int = k & 127
    top: int = k << 45
    r2: float = r * r
    tmp: float = (
        _EXP_TAIL[idx] + r * _E2C1 + r2 * (_E2C2 + r * _E2C3) + r2 * r2 * (_E2C4 + r * _E2C5)
    )
    if special == 1:
        return _exp_special(tmp, _EXP_SBITS[idx], top, k)
    scale: float = bits_to_float(_EXP_SBITS[idx] + top)
    return mul_add(scale, tmp, scale)
