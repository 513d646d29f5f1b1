"""Polynomial kernels of sin, cos and tan on [-π/4, π/4] (FreeBSD msun ``k_sin.c``,
``k_cos.c``, ``k_tan.c``; Sun Microsystems fdlibm, as carried into musl).

Each takes the reduced argument as a head ``x`` and a tail ``y`` (from ``rem_pio2``), so the
extra bits of the reduction reach the result.
"""

from __future__ import annotations

from portalis.lang.libm._ieee import clear_low_word, high_word

# sin(x) ≈ x + S1·x³ + … + S6·x¹³ on [0, π/4], |error| <= 2**-58 relative.
_S1: float = -0.16666666666666632  # 0xBFC5555555555549
_S2: float = 0.00833333333332249  # 0x3F8111111110F8A6
_S3: float = -0.0001984126982985795  # 0xBF2A01A019C161D5
_S4: float = 2.7557313707070068e-06  # 0x3EC71DE357B1FE7D
_S5: float = -2.5050760253406863e-08  # 0xBE5AE5E68A2B9CEB
_S6: float = 1.58969099521155e-10  # 0x3DE5D93A5ACFD57C

# cos(x) ≈ 1 - x²/2 + C1·x⁴ + … + C6·x¹⁴ on [0, π/4], |error| <= 2**-58.
_C1: float = 0.0416666666666666  # 0x3FA555555555554C
_C2: float = -0.001388888888887411  # 0xBF56C16C16C15177
_C3: float = 2.480158728947673e-05  # 0x3EFA01A019CB1590
_C4: float = -2.7557314351390663e-07  # 0xBE927E4F809C52AD
_C5: float = 2.087572321298175e-09  # 0x3E21EE9EBDB4B1C4
_C6: float = -1.1359647557788195e-11  # 0xBDA8FAE9BE8838D4

# tan(x) ≈ x + T0·x³ + … + T12·x²⁷ on [0, 0.67434], |error| <= 2**-59.2 relative.
_T0: float = 0.3333333333333341  # 0x3FD5555555555563
_T1: float = 0.13333333333320124  # 0x3FC111111110FE7A
_T2: float = 0.05396825397622605  # 0x3FABA1BA1BB341FE
_T3: float = 0.021869488294859542  # 0x3F9664F48406D637
_T4: float = 0.0088632398235993  # 0x3F8226E3E96E8493
_T5: float = 0.0035920791075913124  # 0x3F6D6D22C9560328
_T6: float = 0.0014562094543252903  # 0x3F57DBC8FEE08315
_T7: float = 0.0005880412408202641  # 0x3F4344D8F2F26501
_T8: float = 0.0002464631348184699  # 0x3F3026F71A8D1068
_T9: float = 7.817944429395571e-05  # 0x3F147E88A03792A6
_T10: float = 7.140724913826082e-05  # 0x3F12B80F32F0A7E9
_T11: float = -1.8558637485527546e-05  # 0xBEF375CBDB605373
_T12: float = 2.590730518636337e-05  # 0x3EFB2A7074BF7AD4
_PIO4: float = 0.7853981633974483  # 0x3FE921FB54442D18
_PIO4_LO: float = 3.061616997868383e-17  # 0x3C81A62633145C07


def kernel_sin(x: float, y: float) -> float:
    """sin(x + y) for |x| <= ~π/4, y the tail of x; x must not be -0."""
    z: float = x * x
    w: float = z * z
    r: float = _S2 + z * (_S3 + z * _S4) + z * w * (_S5 + z * _S6)
    v: float = z * x
    return x - ((z * (0.5 * y - v * r) - y) - v * _S1)


def kernel_cos(x: float, y: float) -> float:
    """cos(x + y) for |x| <= ~π/4, y the tail of x.

    ``w = 1 - x²/2`` is rounded; the tiny correction ``(1 - w) - x²/2`` puts the lost bits
    back, which keeps the error under one ulp near the ends of the interval.
    """
    z: float = x * x
    w: float = z * z
    r: float = z * (_C1 + z * (_C2 + z * _C3)) + w * w * (_C4 + z * (_C5 + z * _C6))
    hz: float = 0.5 * z
    w = 1.0 - hz
    return w + (((1.0 - w) - hz) + (z * r - x * y))


def kernel_tan(x: float, y: float, odd: int) -> float:
    """tan(x + y) if ``odd`` is 0, else -1/tan(x + y); |x| <= ~π/4, x must not be -0.

    Above 0.6744 it uses tan(π/4 - y') = 1 - 2·(tan y' - tan² y'/(1 + tan y')).
    """
    hx: int = high_word(x)
    big: int = 0
    sign: int = 0
    if (hx & 0x7FFFFFFF) >= 0x3FE59428:  # |x| >= 0.6744
        big = 1
        if hx < 0:
            sign = 1
            x = -x
            y = -y
        x = (_PIO4 - x) + (_PIO4_LO - y)
        y = 0.0
    z: float = x * x
    w: float = z * z
    # x⁵·(T1 + x²·T2 + …) split into odd and even powers of x² for a shorter dependency chain.
    r: float = _T1 + w * (_T3 + w * (_T5 + w * (_T7 + w * (_T9 + w * _T11))))
    v: float = z * (_T2 + w * (_T4 + w * (_T6 + w * (_T8 + w * (_T10 + w * _T12)))))
    s: float = z * x
    r = y + z * (s * (r + v) + y) + s * _T0
    w = x + r
    if big == 1:
        s = float(1 - 2 * odd)
        v = s - 2.0 * (x + (r - w * w / (w + s)))
        if sign == 1:
            return -v
        return v
    if odd == 0:
        return w
    # -1/(x + r) directly has up to 2 ulp error: compute it in split precision.
    w0: float = clear_low_word(w)
    v = r - (w0 - x)  # w0 + v = r + x
    a: float = -1.0 / w
    a0: float = clear_low_word(a)
    return a0 + a * (1.0 + a0 * w0 + a0 * v)
