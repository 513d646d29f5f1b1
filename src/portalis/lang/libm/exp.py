"""exp and expm1 with C semantics (FreeBSD msun ``e_exp.c`` and ``s_expm1.c``; Sun
Microsystems fdlibm, as carried into musl before its 2018 table-driven rewrite).

Both reduce x = k·ln2 + r with |r| <= ln2/2, ln2 split so that k·ln2_hi is exact, then
approximate on r: exp by a Remez rational form R(r²) (error < 2**-59), expm1 by a rational
form that keeps exp(r) - 1 accurate near 0. Overflow returns +inf, underflow 0 (subnormal
results keep their precision through ``scalbn``).
"""

# ruff: noqa: SIM108 -- conditional expressions are outside the kernel subset this library uses

from __future__ import annotations

from portalis.lang.libm._ieee import high_word, infinity, pow2, scalbn

_LN2_HI: float = 0.6931471803691238  # 0x3FE62E42FEE00000
_LN2_LO: float = 1.9082149292705877e-10  # 0x3DEA39EF35793C76
_INVLN2: float = 1.4426950408889634  # 0x3FF71547652B82FE
_O_THRESHOLD: float = 709.782712893384  # 0x40862E42FEFA39EF: above, exp overflows
_U_THRESHOLD: float = -745.1332191019411  # 0xC0874910D52D3051: below, exp underflows to 0

_P1: float = 0.16666666666666602  # 0x3FC555555555553E
_P2: float = -0.0027777777777015593  # 0xBF66C16C16BEBD93
_P3: float = 6.613756321437934e-05  # 0x3F11566AAF25DE2C
_P4: float = -1.6533902205465252e-06  # 0xBEBBBD41C5D26BF1
_P5: float = 4.1381367970572385e-08  # 0x3E66376972BEA4D0

# expm1: scaled Q_n·2**n of R1(z) = 1 + Q1·z + … + Q5·z⁵, z = r²/2, error < 2**-61
_Q1: float = -0.03333333333333313  # 0xBFA11111111110F4
_Q2: float = 0.0015873015872548146  # 0x3F5A01A019FE5585
_Q3: float = -7.93650757867488e-05  # 0xBF14CE199EAADBB7
_Q4: float = 4.008217827329362e-06  # 0x3ED0CFCA86E65239
_Q5: float = -2.0109921818362437e-07  # 0xBE8AFDB76E09C32D


def exp(x: float) -> float:
    """e**x; +inf on overflow, 0 on underflow, nan for nan."""
    hx: int = high_word(x)
    ix: int = hx & 0x7FFFFFFF
    if ix >= 0x4086232B:  # |x| >= 708.39…, or nan
        if x != x:
            return x
        if x > _O_THRESHOLD:
            return infinity()
        if x < _U_THRESHOLD:
            return 0.0
    k: int = 0
    hi: float = 0.0
    lo: float = 0.0
    if ix > 0x3FD62E42:  # |x| > ln2/2: reduce
        if ix >= 0x3FF0A2B2:  # |x| >= 1.5·ln2
            if hx < 0:
                k = int(_INVLN2 * x - 0.5)
            else:
                k = int(_INVLN2 * x + 0.5)
        elif hx < 0:
            k = -1
        else:
            k = 1
        hi = x - float(k) * _LN2_HI  # exact: k·ln2_hi has trailing zeros
        lo = float(k) * _LN2_LO
        x = hi - lo
    elif ix > 0x3E300000:  # |x| > 2**-28
        hi = x
    else:  # e**x rounds to 1 + x
        return 1.0 + x
    xx: float = x * x
    c: float = x - xx * (_P1 + xx * (_P2 + xx * (_P3 + xx * (_P4 + xx * _P5))))
    y: float = 1.0 + (x * c / (2.0 - c) - lo + hi)
    if k == 0:
        return y
    if k >= -1021 and k <= 1023:
        return y * pow2(k)
    return scalbn(y, k)


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
    r1: float = 1.0 + hxs * (_Q1 + hxs * (_Q2 + hxs * (_Q3 + hxs * (_Q4 + hxs * _Q5))))
    tt: float = 3.0 - r1 * hfx
    e: float = hxs * ((r1 - tt) / (6.0 - x * tt))
    if k == 0:
        return x - (x * e - hxs)
    e = x * (e - c) - c
    e = e - hxs
    # e**x ≈ 2**k·(x_reduced - e + 1)
    if k == -1:
        return 0.5 * (x - e) - 0.5
    if k == 1:
        if x < -0.25:
            return -2.0 * (e - (x + 0.5))
        return 1.0 + 2.0 * (x - e)
    y: float = 0.0
    if k < 0 or k > 56:  # exp(x) - 1 is then as good as anything
        y = x - e + 1.0
        if k == 1024:
            y = y * 2.0 * 8.98846567431158e307  # 2**1024 is not a double
        else:
            y = y * pow2(k)
        return y - 1.0
    if k < 20:
        y = (x - e + (1.0 - pow2(-k))) * pow2(k)
    else:
        y = (x - (e + pow2(-k)) + 1.0) * pow2(k)
    return y
